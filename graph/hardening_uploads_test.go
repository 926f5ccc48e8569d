package graph_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
)

// exifOriented is a 64×32 JPEG, left half red and right half blue, whose
// EXIF says to turn it by orientation (6: 90° clockwise), as a phone held
// upright writes it.
func exifOriented(t *testing.T, orientation uint16) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for x := 0; x < 64; x++ {
		for y := 0; y < 32; y++ {
			c := color.RGBA{220, 20, 20, 255}
			if x >= 32 {
				c = color.RGBA{20, 20, 220, 255}
			}
			img.Set(x, y, c)
		}
	}
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	// TIFF, big endian: IFD0 with one entry, Orientation (0x0112, SHORT).
	tiff := []byte("MM\x00*")
	tiff = binary.BigEndian.AppendUint32(tiff, 8)
	tiff = binary.BigEndian.AppendUint16(tiff, 1)
	tiff = append(tiff, 0x01, 0x12, 0, 3, 0, 0, 0, 1)
	tiff = binary.BigEndian.AppendUint16(tiff, orientation)
	tiff = append(tiff, 0, 0)
	tiff = binary.BigEndian.AppendUint32(tiff, 0)
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, byte((len(app1) + 2) >> 8), byte(len(app1) + 2)}
	out := append([]byte{0xFF, 0xD8}, seg...)
	out = append(out, app1...)
	return append(out, plain.Bytes()[2:]...)
}

// A portrait phone photo (pixels stored sideways, EXIF orientation 6) is
// kept upright: 32×64, red on top, and with no EXIF left.
func TestUploadAppliesOrientation(t *testing.T) {
	f := newFixture(t)
	photo := exifOriented(t, 6)
	id, status := f.upload(t, "teacherA", "image/jpeg", photo, photo)
	if status != 200 {
		t.Fatalf("PUT: %d", status)
	}
	c := f.complete(t, "teacherA", id)
	if c.Width != 32 || c.Height != 64 {
		t.Fatalf("stored %d×%d, want 32×64 (upright)", c.Width, c.Height)
	}
	res, err := http.Get(f.Server.URL + c.URL)
	if err != nil {
		t.Fatal(err)
	}
	kept, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if bytes.Contains(kept, []byte("Exif")) {
		t.Fatal("EXIF left in the stored photo")
	}
	img, err := jpeg.Decode(bytes.NewReader(kept))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 32 || b.Dy() != 64 {
		t.Fatalf("stored image %v", b)
	}
	top, bottom := img.At(16, 8), img.At(16, 56)
	if r, _, b, _ := top.RGBA(); r < b {
		t.Errorf("top is not red: %v", top)
	}
	if r, _, b, _ := bottom.RGBA(); b < r {
		t.Errorf("bottom is not blue: %v", bottom)
	}
}

// A 12000×12000 PNG of about 140 KB is refused from its header, with
// IMAGE_TOO_LARGE, before any pixel is decoded: the process allocates a
// few MB for the whole request, not the 144 MB that decoding takes.
func TestImageBombRefusedBeforeDecoding(t *testing.T) {
	f := newSerialFixture(t)
	// A 12000×12000 grey PNG at best compression (image/png's encoder):
	// 164 KB that would decode to 137 MB. Checked in, because encoding it
	// takes 16 s under the race detector.
	bomb, err := os.ReadFile("testdata/bomb-12000x12000.png")
	if err != nil {
		t.Fatal(err)
	}
	if c, err := png.DecodeConfig(bytes.NewReader(bomb)); err != nil || c.Width != 12000 || c.Height != 12000 {
		t.Fatalf("the bomb: %+v, %v", c, err)
	}
	id, status := f.upload(t, "parentA", "image/png", bomb, bomb)
	if status != 200 {
		t.Fatalf("PUT: %d", status)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := f.Do(f.token("parentA"), qCompleteUpload, map[string]any{"id": id})
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("completeUpload of the bomb allocated %.1f MB in this process", float64(allocated)/(1<<20))
	if res.Code() != "BAD_USER_INPUT" || res.Errors[0].Extensions["reason"] != "IMAGE_TOO_LARGE" {
		t.Fatalf("bomb: %s", res.Body)
	}
	if allocated > 32<<20 {
		t.Fatalf("refusing the bomb allocated %d MB: it was decoded", allocated>>20)
	}
}

// HEIC and WebP are refused with UNSUPPORTED_IMAGE_FORMAT, whether declared
// as such or sent as bytes under a JPEG's name, so the app converts first.
func TestUnsupportedImageFormats(t *testing.T) {
	f := newFixture(t)
	for _, ct := range []string{"image/heic", "image/heif", "image/webp"} {
		res := f.Do(f.token("parentA"), qCreateUpload, map[string]any{"t": ct, "n": 100, "s": sum([]byte("x"))})
		if res.Code() != "BAD_USER_INPUT" || res.Errors[0].Extensions["reason"] != "UNSUPPORTED_IMAGE_FORMAT" {
			t.Errorf("%s: %s", ct, res.Body)
		}
	}
	heic := append([]byte{0, 0, 0, 0x18}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	heic = append(heic, bytes.Repeat([]byte{0}, 200)...)
	id, _ := f.upload(t, "parentA", "image/jpeg", heic, heic)
	res := f.Do(f.token("parentA"), qCompleteUpload, map[string]any{"id": id})
	if res.Code() != "BAD_USER_INPUT" || res.Errors[0].Extensions["reason"] != "UNSUPPORTED_IMAGE_FORMAT" {
		t.Errorf("HEIC bytes named a JPEG: %s", res.Body)
	}
	res = f.Do(f.token("parentA"), qCreateUpload, map[string]any{"t": "image/png", "n": -5, "s": sum([]byte("x"))})
	if res.Code() != "BAD_USER_INPUT" || !strings.Contains(res.Errors[0].Message, "at least 1") {
		t.Errorf("negative size: %s", res.Body)
	}
}

// A "PDF" that is HTML after its first line is downloaded, never rendered:
// Content-Disposition attachment and a sandboxing CSP; a photo is shown
// inline, sandboxed too.
func TestFilesServedSafely(t *testing.T) {
	f := newFixture(t)
	pdf := []byte("%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n")
	id, _ := f.upload(t, "parentA", "application/pdf", pdf, pdf)
	photo := photoWithGPS(t)
	photoID, _ := f.upload(t, "parentA", "image/jpeg", photo, photo)
	for _, tc := range []struct {
		id, disposition string
	}{{id, "attachment"}, {photoID, ""}} {
		res, err := http.Get(f.Server.URL + f.complete(t, "parentA", tc.id).URL)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Content-Disposition"); got != tc.disposition {
			t.Errorf("%s: Content-Disposition %q, want %q", res.Header.Get("Content-Type"), got, tc.disposition)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: CSP %q", res.Header.Get("Content-Type"), csp)
		}
	}
}
