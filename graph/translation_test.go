package graph_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/models/roster/oneroster"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/translation"
)

// TestTwoWayTranslation: a Spanish-speaking parent's message reaches the
// teacher in English and the teacher's answer reaches the parent in
// Spanish; the teacher's note reaches a Vietnamese-speaking guardian in
// Vietnamese. Each reader also gets the original, its language and the
// mark that it was translated; the author reads their own words; the
// child's name is the same in every translation. Translation happens once,
// in the background, through the real Google client to a fake of its API.
func TestTwoWayTranslation(t *testing.T) {
	f := newFixtureWith(t, apptest.Options{Translate: true})
	s1 := f.students["s1"]
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.DB.Model(&models.Student{}).Where("id = ?", s1.ID).Update("first_name", "Maya").Error)
	lan := &models.User{FirebaseUID: "fx-lan", DisplayName: "Lan Tran", Locale: "en-US", TimeZone: "UTC"}
	must(f.DB.Create(lan).Error)
	must(f.DB.Create(&models.Membership{UserID: lan.ID, SchoolID: s1.SchoolID, Role: models.RoleParent}).Error)
	must(f.DB.Create(&models.Guardianship{SchoolID: s1.SchoolID, StudentID: s1.ID, UserID: lan.ID, Relationship: models.RelationshipGrandparent}).Error)
	f.users["lan"] = lan
	// An Arabic-speaking guardian too, with the app.
	amal := &models.User{FirebaseUID: "fx-amal", DisplayName: "Amal Haddad", Locale: "en-US", TimeZone: "UTC"}
	must(f.DB.Create(amal).Error)
	must(f.DB.Create(&models.Membership{UserID: amal.ID, SchoolID: s1.SchoolID, Role: models.RoleParent}).Error)
	must(f.DB.Create(&models.Guardianship{SchoolID: s1.SchoolID, StudentID: s1.ID, UserID: amal.ID, Relationship: models.RelationshipOther}).Error)
	f.users["amal"] = amal
	// Each sets their language in their profile, as the app does.
	for tok, locale := range map[string]string{f.token("parentA"): "es-MX", f.TokenFor(lan): "vi-VN", f.TokenFor(amal): "ar-JO"} {
		if r := f.Do(tok, `mutation($in: UpdateProfileInput!) { updateProfile(input: $in) { locale } }`, map[string]any{"in": map[string]any{"locale": locale}}); r.Code() != "" {
			t.Fatal(r.Body)
		}
	}

	type original struct {
		Text, Language string
		Translated     bool
	}
	type msg struct {
		Body         string
		BodyOriginal original
	}
	messages := func(token, conv string) []msg {
		t.Helper()
		var out struct {
			Conversation struct {
				Messages struct{ Edges []struct{ Node msg } }
			}
		}
		f.Do(token, `query($id: ID!) { conversation(id: $id) { messages(first: 20) { edges { node { body bodyOriginal { text language translated } } } } } }`,
			map[string]any{"id": conv}).Decode(t, &out)
		var ms []msg
		for _, e := range out.Conversation.Messages.Edges {
			ms = append(ms, e.Node)
		}
		return ms
	}
	conv := f.start(t, "parentA", "s1", "teacherA")
	const spanish = "Hola, Maya lee todas las noches en casa. ¡Gracias!"
	send := func(who, id, body string) {
		t.Helper()
		if r := f.Do(f.token(who), `mutation($in: SendMessageInput!) { sendMessage(input: $in) { message { id } } }`,
			map[string]any{"in": map[string]any{"clientMutationId": id, "conversationId": conv, "body": body}}); r.Code() != "" {
			t.Fatal(r.Body)
		}
	}
	send("parentA", "es-1", spanish)
	f.WaitJobsSettled()
	find := func(ms []msg, text string) msg {
		t.Helper()
		for _, m := range ms {
			if m.BodyOriginal.Text == text {
				return m
			}
		}
		t.Fatalf("%q not in %+v", text, ms)
		return msg{}
	}
	got := find(messages(f.token("teacherA"), conv), spanish)
	if !strings.HasPrefix(got.Body, "[en] hello, Maya reads every") || !got.BodyOriginal.Translated || got.BodyOriginal.Language != "es" {
		t.Fatalf("the teacher reads %+v", got)
	}
	if own := find(messages(f.token("parentA"), conv), spanish); own.Body != spanish || own.BodyOriginal.Translated {
		t.Fatalf("the parent reads their own words as %+v", own)
	}

	const english = "Thank you! Maya helped a classmate today."
	send("teacherA", "en-1", english)
	f.WaitJobsSettled()
	if got := find(messages(f.token("parentA"), conv), english); !strings.HasPrefix(got.Body, "[es] gracias you! Maya ayudó a classmate hoy.") ||
		!got.BodyOriginal.Translated || got.BodyOriginal.Language != "en" {
		t.Fatalf("the parent reads the answer as %+v", got)
	}

	// The teacher's note, for the Vietnamese-speaking grandmother, who
	// has the app and chose texts for notes too, and for the aunt, who
	// reads Arabic.
	f.RegisterDevice(f.TokenFor(lan), "lan-phone")
	f.RegisterDevice(f.TokenFor(amal), "amal-phone")
	verifiedNumber(t, f, "lan", "+14158923077")
	if r := f.Do(f.TokenFor(lan), `mutation { updateNotificationPreferences(input: {categories: [{category: POSITIVE_NOTE, push: true, sms: true}]}) { categories { sms } } }`, nil); r.Code() != "" {
		t.Fatal(r.Body)
	}
	texts := len(f.Twilio.Messages())
	const note = "Maya helped a classmate today. Very kind!"
	f.Do(f.token("teacherA"), qPost, map[string]any{"in": map[string]any{"clientMutationId": "note-vi", "studentIds": []string{s1.ID},
		"kind": "POSITIVE", "body": note, "state": "SHARED"}})
	f.WaitJobsSettled()
	var feed struct {
		Feed struct {
			Edges []struct {
				Node struct {
					ID           string
					Body         string
					BodyOriginal original
				}
			}
		}
	}
	f.Do(f.TokenFor(lan), `{ feed(first: 5) { edges { node { id body bodyOriginal { text language translated } } } } }`, nil).Decode(t, &feed)
	if len(feed.Feed.Edges) == 0 {
		t.Fatal("the grandmother's feed is empty")
	}
	n := feed.Feed.Edges[0].Node
	if n.Body != "[vi] Maya đã giúp a classmate hôm nay. rất tốt bụng!" || n.BodyOriginal.Text != note || !n.BodyOriginal.Translated || n.BodyOriginal.Language != "en" {
		t.Fatalf("the grandmother reads %+v", n)
	}

	// Her push and her text are in Vietnamese, the note in its words
	// translated; the aunt's push is in Arabic (its payload checked against
	// its schema when the test ends, as every push is).
	sms := f.Twilio.Messages()[texts:]
	if len(sms) != 1 || !strings.Contains(sms[0].Body, "Một lời khen về Maya") || !strings.Contains(sms[0].Body, "[vi] Maya đã giúp") {
		t.Fatalf("the grandmother's text: %+v", sms)
	}
	// It ends with the note's link, in https form (universal and app links).
	if !strings.HasSuffix(sms[0].Body, " "+f.App.Config.PublicURL+"/app/observations/"+n.ID) {
		t.Fatalf("the text has no app link: %s", sms[0].Body)
	}
	titles := map[string]string{}
	for _, m := range f.FCM.Messages() {
		var p struct{ Notification struct{ Title string } }
		must(json.Unmarshal(m.Raw, &p))
		titles[m.Token] = p.Notification.Title
	}
	if titles["lan-phone"] != "Một lời khen về Maya" || titles["amal-phone"] != "ملاحظة إيجابية عن Maya" {
		t.Fatalf("push titles: %v", titles)
	}

	// One call per text and language: the Spanish message went to English
	// and Vietnamese (both read the conversation's student? no: only its
	// participants, English), once each.
	if c := f.Translate.Calls(translation.Protect(spanish, []string{"Maya", "Kid", "School A", "parentA", "teacherA"}), "en"); c != 1 {
		t.Fatalf("the Spanish message was translated into English %d times", c)
	}
	// A resource the school recommends reaches her in Vietnamese too.
	if r := f.Do(f.token("adminA"), `mutation($in: CreateResourceInput!) { createResource(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"schoolId": s1.SchoolID, "title": "Reading today", "summary": "Very kind ideas for reading at home.", "url": "https://example.org/reading", "topic": "LEARNING_AT_HOME"}}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	f.WaitJobsSettled()
	var res struct {
		Resources []struct {
			Title, Summary  string
			SummaryOriginal original
		}
	}
	f.Do(f.TokenFor(lan), `{ resources { title summary summaryOriginal { text language translated } } }`, nil).Decode(t, &res)
	if len(res.Resources) != 1 || res.Resources[0].Title != "[vi] đọc hôm nay" || !strings.HasPrefix(res.Resources[0].Summary, "[vi] rất") ||
		res.Resources[0].SummaryOriginal.Text != "Very kind ideas for reading at home." {
		t.Fatalf("the resource in Vietnamese: %+v", res.Resources)
	}

	// The school's admins see what it had translated this month, per
	// language, with its engagement figures.
	var report struct {
		Engagement struct {
			Translation []struct {
				Month, Language string
				Characters      int
			}
		}
	}
	today := time.Now().Format(time.DateOnly)
	f.Do(f.token("adminA"), `query($s: ID!, $d: String!) { engagement(schoolId: $s, from: $d, to: $d) { translation { month language characters } } }`,
		map[string]any{"s": s1.SchoolID, "d": today}).Decode(t, &report)
	usage := map[string]int{}
	for _, u := range report.Engagement.Translation {
		if u.Month != today[:7] {
			t.Fatalf("usage of month %s", u.Month)
		}
		usage[u.Language] = u.Characters
	}
	// Into English: the Spanish message, and the conversation's first
	// message, English written by a parent whose language is Spanish (the
	// provider had to be asked to learn that). The teacher's English texts
	// were not sent to be put into English: their author's language goes
	// last, and by then the provider had told it.
	if usage["en"] != len([]rune(spanish))+len("Could we talk about reading?") || usage["vi"] == 0 || usage["es"] == 0 || usage["ar"] == 0 {
		t.Fatalf("characters translated this month: %v", usage)
	}
}

// spanishSpeakingParent is a fixture with translation on where parentA
// reads Spanish and has started a conversation with teacherA (its jobs
// done).
func spanishSpeakingParent(t *testing.T) (*fixture, string) {
	t.Helper()
	f := newFixtureWith(t, apptest.Options{Translate: true})
	if r := f.Do(f.token("parentA"), `mutation($in: UpdateProfileInput!) { updateProfile(input: $in) { locale } }`, map[string]any{"in": map[string]any{"locale": "es-US"}}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	conv := f.start(t, "parentA", "s1", "teacherA")
	f.WaitJobsSettled()
	return f, conv
}

// TestTranslationProviderDown: while the provider fails, readers get the
// original; the job retries with backoff and succeeds later; a burst of
// identical texts calls the provider once per language.
func TestTranslationProviderDown(t *testing.T) {
	f, conv := spanishSpeakingParent(t)
	f.Translate.FailNext(1000)
	const text = "Reading every night at home."
	for i := range 5 {
		if r := f.Do(f.token("teacherA"), `mutation($in: SendMessageInput!) { sendMessage(input: $in) { message { id } } }`,
			map[string]any{"in": map[string]any{"clientMutationId": "burst-" + string(rune('a'+i)), "conversationId": conv, "body": text}}); r.Code() != "" {
			t.Fatal(r.Body)
		}
	}
	f.WaitJobsSettled()
	read := func() (string, bool) {
		var out struct {
			Conversation struct {
				LastMessage struct {
					Body         string
					BodyOriginal struct{ Translated bool }
				}
			}
		}
		f.Do(f.token("parentA"), `query($id: ID!) { conversation(id: $id) { lastMessage { body bodyOriginal { translated } } } }`, map[string]any{"id": conv}).Decode(t, &out)
		return out.Conversation.LastMessage.Body, out.Conversation.LastMessage.BodyOriginal.Translated
	}
	if body, tr := read(); body != text || tr {
		t.Fatalf("with the provider down the parent reads %q (translated %v)", body, tr)
	}
	var waiting int64
	f.DB.Raw("SELECT count(*) FROM translation_queue WHERE attempts > 0").Scan(&waiting)
	if waiting != 5 || f.Translate.Requests() == 0 {
		t.Fatalf("%d of 5 messages waiting to retry after %d requests", waiting, f.Translate.Requests())
	}
	// The provider is back; the retries come due, and the next drain (the
	// next write's, or the periodic sweep's) takes them.
	f.Translate.FailNext(0)
	must := f.DB.Exec(`UPDATE translation_queue SET not_before = now()`)
	if must.Error != nil {
		t.Fatal(must.Error)
	}
	f.App.Translation.Wake()
	f.WaitTranslationQueueEmpty()
	if body, tr := read(); !strings.HasPrefix(body, "[es] ") || !tr {
		t.Fatalf("after the retry the parent reads %q (translated %v)", body, tr)
	}
	if c := f.Translate.Calls(translation.Protect(text, nil), "es"); c != 1 {
		t.Fatalf("five identical messages were translated into Spanish %d times", c)
	}
}

// TestLanguageSources: a person's language comes from the roster
// (metadata.language), then their phone (registerDevice's locale), then
// their own choice in their profile, each replacing the ones before it
// and not the ones after.
func TestLanguageSources(t *testing.T) {
	env, districtID := rosterEnv(t)
	row := func(lang string) fstest.MapFS {
		return fstest.MapFS{
			"manifest.csv": {Data: []byte(deltaManifest("users"))},
			"users.csv": {Data: []byte(strings.TrimSuffix(usersHeader, "\n") + ",metadata.language\n" +
				"newmom,active,2026-11-30T08:00:00Z,true,school-wce,parent,newmom,,Lan,Nguyen,,,newmom@home.example,,,student-001,,," + lang + "\n")},
		}
	}
	applyRoster(t, env, row("vi-VN"), domain.RosterImportOptions{DistrictID: districtID})
	lan := userByEmail(t, env, "newmom@home.example")
	check := func(locale, source string) {
		t.Helper()
		var u models.User
		env.DB.Take(&u, "id = ?", lan.ID)
		if u.Locale != locale || u.LocaleSource != source {
			t.Fatalf("locale %s from %s, want %s from %s", u.Locale, u.LocaleSource, locale, source)
		}
	}
	check("vi-VN", "ROSTER")
	tok := env.TokenFor(lan)
	device := func(token, locale string) {
		t.Helper()
		if r := env.Do(tok, `mutation($t: String!, $l: String) { registerDevice(input: {token: $t, platform: ANDROID, appVersion: "1.0.0", locale: $l}) { id } }`,
			map[string]any{"t": token, "l": locale}); r.Code() != "" {
			t.Fatal(r.Body)
		}
	}
	device("lan-phone", "es-MX")
	check("es-MX", "DEVICE")
	applyRoster(t, env, row("ar"), domain.RosterImportOptions{DistrictID: districtID})
	check("es-MX", "DEVICE") // the roster does not override the phone
	if r := env.Do(tok, `mutation { updateProfile(input: {locale: "en-US"}) { locale } }`, nil); r.Code() != "" {
		t.Fatal(r.Body)
	}
	check("en-US", "PROFILE")
	device("lan-tablet", "vi-VN")
	check("en-US", "PROFILE") // nor the phone the person's own choice
	bad := fstest.MapFS{
		"manifest.csv": {Data: []byte(deltaManifest("users"))},
		"users.csv": {Data: []byte(strings.TrimSuffix(usersHeader, "\n") + ",metadata.language\n" +
			"newmom,active,2026-11-30T08:00:00Z,true,school-wce,parent,newmom,,Lan,Nguyen,,,newmom@home.example,,,student-001,,,not a language!\n")},
	}
	set, err := oneroster.Read(bad)
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.App.Domain.ApplyRoster(context.Background(), set, domain.RosterImportOptions{DistrictID: districtID, DryRun: true})
	if err != nil || len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "users.csv:2: metadata.language") {
		t.Fatalf("a bad language: %v %v", res.Problems, err)
	}
}

// TestErrorsInTheViewersLanguage: beside the message for developers, an
// error carries a sentence for people in the viewer's language.
func TestErrorsInTheViewersLanguage(t *testing.T) {
	f := newFixture(t)
	tok := f.token("parentA")
	if r := f.Do(tok, `mutation { updateProfile(input: {locale: "vi-VN"}) { locale } }`, nil); r.Code() != "" {
		t.Fatal(r.Body)
	}
	r := f.Do(tok, `query($id: ID!) { observation(id: $id) { id } }`, map[string]any{"id": "00000000-0000-4000-8000-000000000000"})
	if r.Code() != "NOT_FOUND" || r.Errors[0].Extensions["localizedMessage"] != "Không tìm thấy mục này. Có thể nó đã bị xóa." {
		t.Fatalf("not found, in Vietnamese: %s", r.Body)
	}
	r = f.Do("", `{ viewer { id } }`, nil)
	if r.Code() != "UNAUTHENTICATED" || r.Errors[0].Extensions["localizedMessage"] != "Please sign in again." {
		t.Fatalf("signed out, in English: %s", r.Body)
	}
}

// TestDemoPseudoTranslation: without credentials, outside production, the
// server translates visibly ("[es] …"), so the feature can be seen.
func TestDemoPseudoTranslation(t *testing.T) {
	f := newFixtureWith(t, apptest.Options{Env: map[string]string{"SAMESIDE_TRANSLATE": "on"}})
	if f.App.Translation == nil {
		t.Fatal("translation is off in development without credentials")
	}
	if r := f.Do(f.token("parentA"), `mutation { updateProfile(input: {locale: "es-US"}) { locale } }`, nil); r.Code() != "" {
		t.Fatal(r.Body)
	}
	conv := f.start(t, "teacherA", "s1", "parentA")
	f.WaitJobsSettled()
	var out struct {
		Conversation struct{ LastMessage struct{ Body string } }
	}
	f.Do(f.token("parentA"), `query($id: ID!) { conversation(id: $id) { lastMessage { body } } }`, map[string]any{"id": conv}).Decode(t, &out)
	if out.Conversation.LastMessage.Body != "[es] Could we talk about reading?" {
		t.Fatalf("the parent reads %q", out.Conversation.LastMessage.Body)
	}
}

// TestLongTextTranslated: a message at its 4,000-character limit is
// translated like a short one (the text goes in the request's body, not
// its URL).
func TestLongTextTranslated(t *testing.T) {
	f := newFixtureWith(t, apptest.Options{Translate: true})
	if r := f.Do(f.token("parentA"), `mutation { updateProfile(input: {locale: "vi-VN"}) { locale } }`, nil); r.Code() != "" {
		t.Fatal(r.Body)
	}
	conv := f.start(t, "parentA", "s1", "teacherA")
	long := strings.Repeat("Reading today went very well. ", 133) // 3,990 characters
	if r := f.Do(f.token("teacherA"), `mutation($in: SendMessageInput!) { sendMessage(input: $in) { message { id } } }`,
		map[string]any{"in": map[string]any{"clientMutationId": "long", "conversationId": conv, "body": long}}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	f.WaitJobsSettled()
	var out struct {
		Conversation struct {
			LastMessage struct {
				Body         string
				BodyOriginal struct{ Translated bool }
			}
		}
	}
	f.Do(f.token("parentA"), `query($id: ID!) { conversation(id: $id) { lastMessage { body bodyOriginal { translated } } } }`, map[string]any{"id": conv}).Decode(t, &out)
	if !out.Conversation.LastMessage.BodyOriginal.Translated || !strings.HasPrefix(out.Conversation.LastMessage.Body, "[vi] đọc hôm nay went rất well.") {
		t.Fatalf("the long message: %.120s", out.Conversation.LastMessage.Body)
	}
}

// A school's translations do not wait on one another's usage count: while
// one holds its usage row (its commit not yet done), a translation of
// another text is counted in another row and finishes.
func TestTranslationsDoNotWaitOnOneUsageRow(t *testing.T) {
	f, conv := spanishSpeakingParent(t)
	text := ""
	for i := 0; text == ""; i++ {
		if c := fmt.Sprintf("Maya read two chapters tonight (%d).", i); translation.UsageShard(c) != 0 {
			text = c
		}
	}
	// Another translation of the school into Spanish, in the middle of
	// its transaction: it holds usage row 0.
	held := f.DB.Begin()
	defer held.Rollback()
	month := time.Now().UTC()
	month = time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	if err := held.Exec(`INSERT INTO translation_usage (school_id, month, target, shard, chars) VALUES (?, ?, 'es', 0, 10)
		ON CONFLICT (school_id, month, target, shard) DO UPDATE SET chars = translation_usage.chars + 10`, f.students["s1"].SchoolID, month).Error; err != nil {
		t.Fatal(err)
	}
	if r := f.Do(f.token("teacherA"), qSend, map[string]any{"c": conv, "m": "while-held", "b": text}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	f.WaitJobsSettled() // the translation job, done while row 0 is held
	var out struct {
		Conversation struct{ LastMessage struct{ Body string } }
	}
	f.Do(f.token("parentA"), `query($id: ID!) { conversation(id: $id) { lastMessage { body } } }`, map[string]any{"id": conv}).Decode(t, &out)
	if b := out.Conversation.LastMessage.Body; !strings.HasPrefix(b, "[es] ") || !strings.Contains(b, "two chapters tonight") {
		t.Fatalf("the parent reads %q", out.Conversation.LastMessage.Body)
	}
}

// TestTranslationDrainStatements: what is written is queued for
// translation, and a drain translates what is queued in batches: at 200
// messages a second (make bench-live) many messages a drain, not a job
// each. Three messages into two languages (their Spanish-speaking
// author's and the teacher's), queued before a worker runs, are
// translated by one drain in at most drainStatements statements (BEGIN
// and COMMIT included), counted on the wire for the drain jobs alone: the
// claim, the items' reads (one statement a kind queued: a statement for
// all kinds cost more to set up on every run than a round trip), the
// texts' locks with what they are in already, then the results, their
// usage and the queue's rows in one.
func TestTranslationDrainStatements(t *testing.T) {
	const drainStatements = 6
	// One drain at a time: each claims what the one before left.
	f := newFixtureWith(t, apptest.Options{Translate: true, NoWorkers: true, Env: map[string]string{"SAMESIDE_TRANSLATE_WORKERS": "1"}})
	if r := f.Do(f.token("parentA"), `mutation($in: UpdateProfileInput!) { updateProfile(input: $in) { locale } }`,
		map[string]any{"in": map[string]any{"locale": "es-MX"}}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	conv := f.start(t, "parentA", "s1", "teacherA")
	jobs := f.RecordJobs("translate_drain")
	texts := []string{"Hola, lee todas las noches en casa. ¡Gracias!", "Mañana traemos el libro.", "¿Hay tarea el viernes?"}
	for i, text := range texts {
		if r := f.Do(f.token("parentA"), `mutation($in: SendMessageInput!) { sendMessage(input: $in) { message { id } } }`,
			map[string]any{"in": map[string]any{"clientMutationId": fmt.Sprintf("stmts-%d", i), "conversationId": conv,
				"body": text}}); r.Code() != "" {
			t.Fatal(r.Body)
		}
	}
	if err := f.App.StartWorkers(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.WaitJobsSettled()
	for _, text := range texts {
		var rows []struct{ Target string }
		f.DB.Raw(`SELECT target FROM translations WHERE hash = decode(?, 'hex') ORDER BY target`, hex.EncodeToString(translation.Hash(text))).Scan(&rows)
		if len(rows) != 2 || rows[0].Target != "en" || rows[1].Target != "es" {
			t.Fatalf("%q translated into %+v, want en and es", text, rows)
		}
	}
	var failed int64
	f.DB.Raw(`SELECT count(*) FROM river_job WHERE kind = 'translate_drain' AND (state <> 'completed' OR errors IS NOT NULL)`).Scan(&failed)
	if failed > 0 {
		t.Fatalf("%d drains failed", failed)
	}
	working := 0
	for _, s := range jobs() {
		translated := false
		for _, st := range s {
			line := strings.Join(strings.Fields(st.SQL), " ")
			translated = translated || strings.Contains(line, "translation_lock")
			t.Logf("  %s", line[:min(110, len(line))])
		}
		if translated {
			working++
			if len(s) > drainStatements {
				t.Errorf("the drain ran %d statements, want at most %d", len(s), drainStatements)
			}
		}
	}
	if working != 1 {
		t.Fatalf("%d drains translated, want 1 (all three messages in one batch)", working)
	}
}

// A child's profile is queued for translation under "student id/household",
// and a household's key may hold a slash itself: the drain reads the profile
// by everything after the first one.
func TestProfileTranslatedWhateverItsHouseholdKey(t *testing.T) {
	f, _ := spanishSpeakingParent(t)
	s1 := f.students["s1"].ID
	if err := f.DB.Exec(`UPDATE guardianships SET household = 'Apt 4/B' WHERE student_id = ? AND user_id = ?`, s1, f.users["parentA"].ID).Error; err != nil {
		t.Fatal(err)
	}
	const worries = "Mornings are hard: she is tired before the bus."
	if r := f.Do(f.token("parentA"), `mutation($s: ID!, $w: String!) { updateChildProfile(input: {studentId: $s, worries: $w}) { worries } }`,
		map[string]any{"s": s1, "w": worries}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	f.WaitJobsSettled()
	if targets := translatedInto(f, worries); !slices.Contains(targets, "es") {
		t.Fatalf("the profile's worries were translated into %v, want Spanish among them", targets)
	}
}

// translatedInto is the languages text is stored in.
func translatedInto(f *fixture, text string) []string {
	var targets []string
	f.DB.Raw(`SELECT target FROM translations WHERE hash = decode(?, 'hex') ORDER BY target`, hex.EncodeToString(translation.Hash(text))).Scan(&targets)
	return targets
}

// A translation job left from before the queue (one per item, kind
// "translate") puts its item in the queue when it runs, and the item is
// translated.
func TestLegacyTranslationJobQueuesItsItem(t *testing.T) {
	f := newFixtureWith(t, apptest.Options{Translate: true, NoWorkers: true})
	if r := f.Do(f.token("parentA"), `mutation($in: UpdateProfileInput!) { updateProfile(input: $in) { locale } }`,
		map[string]any{"in": map[string]any{"locale": "es-MX"}}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	conv := f.start(t, "parentA", "s1", "teacherA")
	const text = "The class play is on Friday at ten."
	var sent struct {
		SendMessage struct{ Message struct{ ID string } }
	}
	f.Do(f.token("teacherA"), `mutation($in: SendMessageInput!) { sendMessage(input: $in) { message { id } } }`,
		map[string]any{"in": map[string]any{"clientMutationId": "legacy-1", "conversationId": conv, "body": text}}).Decode(t, &sent)
	// As an older server would have left it: a job, not a queued item.
	if err := f.DB.Exec(`DELETE FROM translation_queue`).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.App.Workers.Insert(context.Background(), translation.Args{What: translation.KindMessage, ID: sent.SendMessage.Message.ID}, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.App.StartWorkers(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.WaitJobsSettled()
	if targets := translatedInto(f, text); !slices.Contains(targets, "es") {
		t.Fatalf("the message was translated into %v, want Spanish among them", targets)
	}
}

// An email or a text about to be written takes its text's translation made
// on the spot when none is stored yet, within its own short wait (far
// below a provider call's own timeout).
func TestInLanguageTranslatesWithinItsWait(t *testing.T) {
	f := newFixtureWith(t, apptest.Options{Translate: true})
	const text = "Picture day is moved to Thursday."
	got, ok := f.App.Translation.InLanguage(context.Background(), f.students["s1"].SchoolID, text, nil, "es", 5*time.Second)
	if !ok || got == text {
		t.Fatalf("in Spanish: %q (translated %v)", got, ok)
	}
}

// TestSlowTranslationDoesNotHoldUpPushes: a translation drain waits for the
// provider inside its transaction (the texts' locks make a burst of one
// text one call a language). With the provider answering nothing, as many
// drains as a process runs at once wait on it, and a new message's push
// still reaches the parent's phone at once; once the provider answers, every
// message is translated. (With the drains on the pushes' connections, they
// held every one of them and the push waited for the provider.)
func TestSlowTranslationDoesNotHoldUpPushes(t *testing.T) {
	f, conv := spanishSpeakingParent(t)
	f.RegisterDevice(f.token("parentA"), "parent-phone")
	release := f.Translate.Hold()
	t.Cleanup(release)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	send := func(i int) {
		t.Helper()
		if r := f.Do(f.token("teacherA"), qSend, map[string]any{"c": conv, "m": fmt.Sprintf("slow-%d", i), "b": fmt.Sprintf("Maya helped a friend today (%d).", i)}); r.Code() != "" {
			t.Fatal(r.Body)
		}
	}
	// One message a drain: each claims what the ones before it do not hold.
	drains := f.App.Config.TranslateWorkers
	for i := 1; i <= drains; i++ {
		send(i)
		if err := f.Translate.AwaitHeld(ctx, i); err != nil {
			t.Fatal(err)
		}
	}
	send(drains + 1)
	if got, err := f.FCM.Await(ctx, drains+1); err != nil {
		t.Fatalf("with %d translation drains waiting for the provider, %d of %d pushes arrived: %v", drains, got, drains+1, err)
	}
	// An email about to be written does not wait for them either: after
	// its own short wait it goes as written.
	const notice = "Picture day is moved to Thursday."
	written := make(chan string, 1)
	go func() {
		got, _ := f.App.Translation.InLanguage(ctx, f.students["s1"].SchoolID, notice, nil, "es", 300*time.Millisecond)
		written <- got
	}()
	select {
	case got := <-written:
		if got != notice {
			t.Fatalf("with the provider not answering, the email reads %q", got)
		}
	case <-ctx.Done():
		t.Fatal("the email waited for the provider")
	}
	release()
	f.WaitTranslationQueueEmpty()
	var out struct {
		Conversation struct{ LastMessage struct{ Body string } }
	}
	f.Do(f.token("parentA"), `query($id: ID!) { conversation(id: $id) { lastMessage { body } } }`, map[string]any{"id": conv}).Decode(t, &out)
	if b := out.Conversation.LastMessage.Body; !strings.HasPrefix(b, "[es] ") {
		t.Fatalf("after the provider answered the parent reads %q", b)
	}
}
