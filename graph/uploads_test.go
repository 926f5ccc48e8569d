package graph_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/files"
	"github.com/sameside/sameside/server/jobs"
)

const (
	qCreateUpload   = `mutation($t: String!, $n: Int!, $s: String!) { createUpload(input: {contentType: $t, size: $n, sha256: $s}) { upload { id state } uploadUrl } }`
	qCompleteUpload = `mutation($id: ID!) { completeUpload(input: {id: $id}) { id state width height url thumbnailUrl } }`
)

// photoWithGPS is a 640×480 JPEG carrying an EXIF block with a GPS
// position, as phone cameras write them.
func photoWithGPS(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for x := 0; x < 640; x++ {
		for y := 0; y < 480; y++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, img, nil); err != nil {
		t.Fatal(err)
	}
	// TIFF (little endian): IFD0 with one entry, GPSInfo (0x8825) → a GPS IFD
	// with GPSLatitudeRef "N" (0x0001, ASCII).
	tiff := []byte("II*\x00")
	tiff = binary.LittleEndian.AppendUint32(tiff, 8)
	tiff = binary.LittleEndian.AppendUint16(tiff, 1)
	tiff = append(tiff, 0x25, 0x88, 4, 0, 1, 0, 0, 0)
	tiff = binary.LittleEndian.AppendUint32(tiff, 26) // GPS IFD right after IFD0
	tiff = binary.LittleEndian.AppendUint32(tiff, 0)
	tiff = binary.LittleEndian.AppendUint16(tiff, 1)
	tiff = append(tiff, 1, 0, 2, 0, 2, 0, 0, 0, 'N', 0, 0, 0)
	tiff = binary.LittleEndian.AppendUint32(tiff, 0)
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, byte((len(app1) + 2) >> 8), byte(len(app1) + 2)}
	out := append([]byte{0xFF, 0xD8}, seg...)
	out = append(out, app1...)
	return append(out, plain.Bytes()[2:]...)
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// upload creates an upload as who and PUTs body to its signed URL; it
// returns the upload id and the PUT's status.
func (f *fixture) upload(t *testing.T, who, contentType string, declared, body []byte) (string, int) {
	t.Helper()
	var out struct {
		CreateUpload struct {
			Upload    struct{ ID string }
			UploadURL string
		}
	}
	f.Do(f.token(who), qCreateUpload, map[string]any{"t": contentType, "n": len(declared), "s": sum(declared)}).Decode(t, &out)
	req, _ := http.NewRequest(http.MethodPut, f.Server.URL+out.CreateUpload.UploadURL, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return out.CreateUpload.Upload.ID, res.StatusCode
}

// completed is what completeUpload answers.
type completed struct {
	State         string
	Width, Height int
	URL           string
	ThumbnailURL  string
}

// complete completes an upload as who, failing the test on errors.
func (f *fixture) complete(t *testing.T, who, id string) completed {
	t.Helper()
	var done struct{ CompleteUpload completed }
	f.Do(f.token(who), qCompleteUpload, map[string]any{"id": id}).Decode(t, &done)
	return done.CompleteUpload
}

// A teacher uploads a phone photo with a GPS position: what is kept and
// served has no EXIF at all, and a thumbnail comes with it; signed URLs
// refuse tampering, other methods and expiry.
func TestUploadStripsLocationAndSignsURLs(t *testing.T) {
	f := newFixture(t)
	photo := photoWithGPS(t)
	if !bytes.Contains(photo, []byte("Exif")) {
		t.Fatal("the test photo has no EXIF")
	}
	id, status := f.upload(t, "teacherA", "image/jpeg", photo, photo)
	if status != 200 {
		t.Fatalf("PUT: %d", status)
	}
	c := f.complete(t, "teacherA", id)
	if c.State != "READY" || c.Width != 640 || c.Height != 480 || c.URL == "" || c.ThumbnailURL == "" {
		t.Fatalf("completed: %+v", c)
	}
	get := func(u string) (int, []byte) {
		res, err := http.Get(f.Server.URL + u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	code, kept := get(c.URL)
	if code != 200 || bytes.Contains(kept, []byte("Exif")) {
		t.Fatalf("download: %d, EXIF left: %v", code, bytes.Contains(kept, []byte("Exif")))
	}
	if img, err := jpeg.Decode(bytes.NewReader(kept)); err != nil || img.Bounds().Dx() != 640 {
		t.Fatalf("the kept photo: %v", err)
	}
	code, thumb := get(c.ThumbnailURL)
	if img, err := jpeg.Decode(bytes.NewReader(thumb)); code != 200 || err != nil || img.Bounds().Dx() != 320 || img.Bounds().Dy() != 240 {
		t.Fatalf("thumbnail: %d %v", code, err)
	}
	// Tampered, used for another method, or expired: 403.
	tampered := strings.Replace(c.URL, "files%2F", "incoming%2F", 1)
	if tampered == c.URL {
		tampered = c.URL + "x"
	}
	if code, _ := get(tampered); code != 403 {
		t.Fatalf("tampered URL: %d", code)
	}
	req, _ := http.NewRequest(http.MethodPut, f.Server.URL+c.URL, strings.NewReader("overwrite"))
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 403 {
		t.Fatalf("PUT to a download URL: %v %v", res.StatusCode, err)
	}
	short, err := f.App.Files.SignedURL(context.Background(), "files/"+id, http.MethodGet, "", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond)
	if code, _ := get(short); code != 403 {
		t.Fatalf("expired URL: %d", code)
	}
	// Only the uploader gets the upload's URLs through the API.
	if code, _ := get("/files"); code != 403 {
		t.Fatalf("unsigned: %d", code)
	}
}

// Bad uploads are refused, each with its code; nothing is kept.
func TestUploadRefusals(t *testing.T) {
	f := newFixture(t)
	photo := photoWithGPS(t)
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	for name, tc := range map[string]struct {
		contentType string
		size        int
		sha         string
		field       string
	}{
		"a GIF":              {"image/gif", 100, sum([]byte("x")), "contentType"},
		"16 MB photo":        {"image/jpeg", 16 << 20, sum([]byte("x")), "size"},
		"26 MB PDF":          {"application/pdf", 26 << 20, sum([]byte("x")), "size"},
		"no size":            {"image/png", 0, sum([]byte("x")), "size"},
		"a checksum not hex": {"image/png", 10, "not-a-checksum", "sha256"},
	} {
		res := f.Do(f.token("parentA"), qCreateUpload, map[string]any{"t": tc.contentType, "n": tc.size, "s": tc.sha})
		if res.Code() != "BAD_USER_INPUT" || !strings.Contains(res.Body, `"field":"`+tc.field+`"`) {
			t.Errorf("%s: %s", name, res.Body)
		}
	}
	complete := func(who, id string) string {
		return f.Do(f.token(who), qCompleteUpload, map[string]any{"id": id}).Code()
	}
	// Declared one thing, sent another: checksum, type, size.
	id, _ := f.upload(t, "parentA", "image/jpeg", photo, append([]byte{}, photo[:len(photo)-1]...))
	if code := complete("parentA", id); code != "BAD_USER_INPUT" {
		t.Errorf("bytes cut short: %s", code)
	}
	corrupted := append([]byte{}, photo...)
	corrupted[len(corrupted)/2] ^= 0xFF
	id, _ = f.upload(t, "parentA", "image/jpeg", photo, corrupted)
	if code := complete("parentA", id); code != "BAD_USER_INPUT" {
		t.Errorf("checksum mismatch: %s", code)
	}
	id, _ = f.upload(t, "parentA", "image/jpeg", pdf, pdf) // a PDF named as a JPEG
	if code := complete("parentA", id); code != "BAD_USER_INPUT" {
		t.Errorf("a PDF as a JPEG: %s", code)
	}
	// Another user's upload, one with no bytes yet, an expired one.
	id, _ = f.upload(t, "parentA", "application/pdf", pdf, pdf)
	if code := complete("parentA2", id); code != "NOT_FOUND" {
		t.Errorf("another user's upload: %s", code)
	}
	var fresh struct {
		CreateUpload struct{ Upload struct{ ID string } }
	}
	f.Do(f.token("parentA"), qCreateUpload, map[string]any{"t": "application/pdf", "n": len(pdf), "s": sum(pdf)}).Decode(t, &fresh)
	if code := complete("parentA", fresh.CreateUpload.Upload.ID); code != "CONFLICT" {
		t.Errorf("no bytes yet: %s", code)
	}
	f.DB.Exec(`UPDATE uploads SET expires_at = now() - interval '1 minute' WHERE id = ?`, id)
	if code := complete("parentA", id); code != "CONFLICT" {
		t.Errorf("expired: %s", code)
	}
	var ready int64
	f.DB.Raw(`SELECT count(*) FROM uploads WHERE state = 'READY'`).Scan(&ready)
	if ready != 0 {
		t.Fatalf("%d refused uploads were kept", ready)
	}
	// More than an image may be, whatever was declared: refused at the PUT.
	if _, status := f.upload(t, "parentA", "image/jpeg", photo, bytes.Repeat([]byte{0xFF}, 16<<20)); status != http.StatusRequestEntityTooLarge {
		t.Errorf("a 16 MB PUT for an image: %d", status)
	}
	// Content-Type other than signed: refused at the PUT.
	var up struct {
		CreateUpload struct{ UploadURL string }
	}
	f.Do(f.token("parentA"), qCreateUpload, map[string]any{"t": "application/pdf", "n": len(pdf), "s": sum(pdf)}).Decode(t, &up)
	req, _ := http.NewRequest(http.MethodPut, f.Server.URL+up.CreateUpload.UploadURL, bytes.NewReader(pdf))
	req.Header.Set("Content-Type", "image/jpeg")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 400 {
		t.Errorf("PUT with another Content-Type: %v %v", res.StatusCode, err)
	}
}

// End to end: a teacher posts a phone photo on a shared positive note; the
// parent's feed gives a URL that downloads it without any EXIF; another
// family gets NOT_FOUND for the note; a forged URL is refused. Attaching
// someone else's, an unfinished or an already attached upload is refused
// and posts nothing.
func TestPhotoOnAPositiveNote(t *testing.T) {
	f := newFixture(t)
	photo := photoWithGPS(t)
	id, _ := f.upload(t, "teacherA", "image/jpeg", photo, photo)
	f.Do(f.token("teacherA"), qCompleteUpload, map[string]any{"id": id})
	post := func(who, cmid string, attachments []string) *apptest.Response {
		return f.Do(f.token(who), `mutation($in: PostObservationInput!) { postObservation(input: $in) { observations { id attachments { id } } } }`,
			map[string]any{"in": map[string]any{"clientMutationId": cmid, "studentIds": []string{f.students["s1"].ID}, "kind": "POSITIVE",
				"body": "Built a tower with a friend and shared the blocks.", "state": "SHARED", "attachmentIds": attachments}})
	}
	var posted struct {
		PostObservation struct {
			Observations []struct {
				ID          string
				Attachments []struct{ ID string }
			}
		}
	}
	post("teacherA", "photo-note", []string{id}).Decode(t, &posted)
	note := posted.PostObservation.Observations[0]
	if len(note.Attachments) != 1 || note.Attachments[0].ID != id {
		t.Fatalf("posted: %+v", note)
	}
	var feed struct {
		Feed struct {
			Edges []struct {
				Node struct {
					ID          string
					Attachments []struct{ URL, ThumbnailURL string }
				}
			}
		}
	}
	f.Do(f.token("parentA"), `{ feed(first: 5) { edges { node { id attachments { url thumbnailUrl } } } } }`, nil).Decode(t, &feed)
	if len(feed.Feed.Edges) != 1 || len(feed.Feed.Edges[0].Node.Attachments) != 1 {
		t.Fatalf("parent's feed: %+v", feed)
	}
	a := feed.Feed.Edges[0].Node.Attachments[0]
	res, err := http.Get(f.Server.URL + a.URL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || bytes.Contains(got, []byte("Exif")) || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("download: %d %s, EXIF left: %v", res.StatusCode, res.Header.Get("Content-Type"), bytes.Contains(got, []byte("Exif")))
	}
	if _, err := jpeg.Decode(bytes.NewReader(got)); err != nil {
		t.Fatal(err)
	}
	forged := strings.Replace(a.URL, "signature=", "signature=x", 1)
	if res, err := http.Get(f.Server.URL + forged); err != nil || res.StatusCode != 403 {
		t.Fatalf("forged URL: %v %v", res.StatusCode, err)
	}
	// Another family: NOT_FOUND for the note, and nothing in its feed.
	if res := f.Do(f.token("parentA2"), `query($id: ID!) { observation(id: $id) { attachments { url } } }`, map[string]any{"id": note.ID}); res.Code() != "NOT_FOUND" {
		t.Fatalf("another family: %s", res.Body)
	}
	// Refused attachments post nothing.
	other, _ := f.upload(t, "teacherA2", "image/jpeg", photo, photo)
	f.Do(f.token("teacherA2"), qCompleteUpload, map[string]any{"id": other})
	unfinished, _ := f.upload(t, "teacherA", "image/jpeg", photo, photo)
	for name, tc := range map[string]struct {
		ids  []string
		code string
	}{
		"another user's upload": {[]string{other}, "NOT_FOUND"},
		"not completed":         {[]string{unfinished}, "BAD_USER_INPUT"},
		"attached already":      {[]string{id}, "BAD_USER_INPUT"},
		"seven":                 {[]string{id, id, id, id, id, id, id}, "BAD_USER_INPUT"},
	} {
		before := f.Count("observations")
		if res := post("teacherA", "refused-"+strings.ReplaceAll(name, " ", "-"), tc.ids); res.Code() != tc.code || f.Count("observations") != before {
			t.Errorf("%s: %s", name, res.Body)
		}
	}
}

// The cleanup job deletes uploads left unattached past their expiry, with
// their files; attached and unexpired ones stay. The clock is injected; the
// job runs through River as in production.
func TestExpiredUploadsAreDeleted(t *testing.T) {
	f := newFixture(t)
	photo := photoWithGPS(t)
	ready, _ := f.upload(t, "teacherA", "image/jpeg", photo, photo)
	f.Do(f.token("teacherA"), qCompleteUpload, map[string]any{"id": ready})
	pending, _ := f.upload(t, "teacherA", "image/jpeg", photo, photo) // bytes PUT, never completed
	attached, _ := f.upload(t, "teacherA", "image/jpeg", photo, photo)
	f.Do(f.token("teacherA"), qCompleteUpload, map[string]any{"id": attached})
	if res := f.Do(f.token("teacherA"), `mutation($in: PostObservationInput!) { postObservation(input: $in) { observations { id } } }`,
		map[string]any{"in": map[string]any{"clientMutationId": "keep", "studentIds": []string{f.students["s1"].ID}, "kind": "POSITIVE",
			"body": "Painted the class mural.", "attachmentIds": []string{attached}}}); res.Code() != "" {
		t.Fatal(res.Body)
	}
	fresh, _ := f.upload(t, "teacherA", "image/jpeg", photo, photo)

	exists := func(key string) bool {
		ok, err := f.App.Files.Bucket.Exists(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !exists("files/"+ready) || !exists("files/"+ready+"-thumb") || !exists("incoming/"+pending) {
		t.Fatal("the files are not where expected before the cleanup")
	}
	// A day and a minute later, except for the fresh one (made "now").
	later := time.Now().Add(24*time.Hour + time.Minute)
	f.DB.Exec(`UPDATE uploads SET expires_at = ? WHERE id = ?`, later.Add(time.Hour), fresh)
	f.Clock.Set(later)
	if _, err := f.App.Workers.Insert(context.Background(), jobs.ChoreArgs{Chore: files.CleanupChore}, nil); err != nil {
		t.Fatal(err)
	}
	f.WaitPushesIdle()
	var left []string
	f.DB.Raw(`SELECT id FROM uploads ORDER BY created_at`).Scan(&left)
	if strings.Join(left, ",") != attached+","+fresh {
		t.Fatalf("uploads left %v, want the attached %s and the fresh %s", left, attached, fresh)
	}
	for _, key := range []string{"files/" + ready, "files/" + ready + "-thumb", "incoming/" + pending} {
		if exists(key) {
			t.Errorf("%s is still stored", key)
		}
	}
	if !exists("files/" + attached) {
		t.Error("the attached photo was deleted")
	}
}

// A parent sends a picture of a project done at home in a message and
// shares a PDF with a home insight: the teacher gets working URLs through
// the conversation and the student's timeline; a non-participant gets
// NOT_FOUND.
func TestAttachmentsOnMessagesAndInsights(t *testing.T) {
	f := newFixture(t)
	c := f.start(t, "parentA", "s1", "teacherA")
	photo := photoWithGPS(t)
	pic, _ := f.upload(t, "parentA", "image/jpeg", photo, photo)
	f.Do(f.token("parentA"), qCompleteUpload, map[string]any{"id": pic})
	if res := f.Do(f.token("parentA"), `mutation($in: SendMessageInput!) { sendMessage(input: $in) { message { id } } }`,
		map[string]any{"in": map[string]any{"clientMutationId": "pic", "conversationId": c, "body": "Our volcano!", "attachmentIds": []string{pic}}}); res.Code() != "" {
		t.Fatal(res.Body)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	doc, _ := f.upload(t, "parentA", "application/pdf", pdf, pdf)
	f.Do(f.token("parentA"), qCompleteUpload, map[string]any{"id": doc})
	if res := f.Do(f.token("parentA"), `mutation($in: ShareHomeInsightInput!) { shareHomeInsight(input: $in) { clientMutationId } }`,
		map[string]any{"in": map[string]any{"clientMutationId": "doc", "studentId": f.students["s1"].ID, "body": "Her reading log.", "attachmentIds": []string{doc}}}); res.Code() != "" {
		t.Fatal(res.Body)
	}
	var conv struct {
		Conversation struct {
			Messages struct {
				Edges []struct {
					Node struct {
						Attachments []struct{ URL string }
					}
				}
			}
		}
	}
	f.Do(f.token("teacherA"), `query($c: ID!) { conversation(id: $c) { messages(first: 1) { edges { node { attachments { url } } } } } }`, map[string]any{"c": c}).Decode(t, &conv)
	if e := conv.Conversation.Messages.Edges; len(e) != 1 || len(e[0].Node.Attachments) != 1 {
		t.Fatalf("teacher's view of the message: %+v", conv)
	}
	res, err := http.Get(f.Server.URL + conv.Conversation.Messages.Edges[0].Node.Attachments[0].URL)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("download: %v %v", res.StatusCode, err)
	}
	res.Body.Close()
	timeline := f.Do(f.token("teacherA"), `query($id: ID!) { student(id: $id) { timeline(first: 5) { edges { node { ... on HomeInsight { attachments { contentType thumbnailUrl url } } } } } } }`,
		map[string]any{"id": f.students["s1"].ID})
	if timeline.Code() != "" || !strings.Contains(timeline.Body, `"contentType":"application/pdf","thumbnailUrl":null`) {
		t.Fatalf("timeline: %s", timeline.Body)
	}
	if res := f.Do(f.token("parentA2"), `query($c: ID!) { conversation(id: $c) { messages { edges { node { attachments { url } } } } } }`, map[string]any{"c": c}); res.Code() != "NOT_FOUND" {
		t.Fatalf("non-participant: %s", res.Body)
	}
}
