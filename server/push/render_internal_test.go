package push

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"firebase.google.com/go/v4/messaging"

	"github.com/sameside/sameside/models"
)

// TestRendererReadsAsRender: the fan-out renders a notification once for
// all who read it alike; every reader must still get exactly what render
// gives them alone (their name, their language, times in their zone), for
// every type and kind the catalog words, in any order.
func TestRendererReadsAsRender(t *testing.T) {
	var readers []recipientInfo
	for _, locale := range []string{"en-US", "es-MX", "es", "zh-CN", "vi", "ar", "fr-FR", ""} {
		for _, zone := range []string{"UTC", "America/New_York", "Asia/Ho_Chi_Minh", "Not/AZone"} {
			for _, name := range []string{"Amara Rossi", "Lin Wei"} {
				readers = append(readers, recipientInfo{name: name, locale: locale, timeZone: zone})
			}
		}
	}
	params := map[string]string{
		"student": "Maya", "author": "Ms. Lee", "parent": "Jon", "teacher": "Mr. Cruz", "actor": "Ana",
		"sender": "Ms. Lee", "subject": "Field trip", "school": "Willow Creek", "title": "Snow day",
		"students": "Maya, Leo", "reviewer": "Dr. Obi", "startsAt": "2026-12-08T15:30:00Z",
	}
	types := []string{"NO_SUCH_TYPE"}
	for key := range catalog {
		types = append(types, key)
	}
	for _, key := range types {
		typ, kind, _ := strings.Cut(key, ":")
		p := map[string]string{"kind": kind}
		for k, v := range params {
			p[k] = v
		}
		n := &models.Notification{Type: typ, Params: p}
		r := NewRenderer(n)
		order := rand.Perm(len(readers))
		for _, i := range append(order, order...) {
			who := readers[i]
			got := r.render(who)
			var want text
			want.title, want.body = render(n, who)
			if got != want {
				t.Fatalf("%s for %+v: renderer gave %q / %q, render %q / %q", key, who, got.title, got.body, want.title, want.body)
			}
		}
	}
	// Those who read it alike share one rendering: an announcement (no
	// name, no time) renders once a locale.
	r := NewRenderer(&models.Notification{Type: "ANNOUNCEMENT", Params: map[string]string{"school": "Willow Creek", "title": "Snow day"}})
	for _, who := range readers {
		r.render(who)
	}
	if len(r.seen) != 8 {
		t.Errorf("an announcement rendered %d times for 8 locales", len(r.seen))
	}
}

// TestPushShapeMessage: messages made from one notification's shape carry
// each its own token, text and badge, in the wire form FCM gets.
func TestPushShapeMessage(t *testing.T) {
	n := &models.Notification{
		ID: "n1", Type: "ANNOUNCEMENT", Category: models.CategoryAnnouncement, Urgent: true,
		DeepLink: "sameside://announcements/a1", CollapseKey: strings.Repeat("k", 70), ThreadID: "school-1",
		Data: map[string]string{"announcementId": "a1"},
	}
	s := newPushShape(n)
	a := s.message("tok-a", 3, text{"T a", "B a"})
	b := s.message("tok-b", 7, text{"T b", "B b"})
	for _, c := range []struct {
		got        *messaging.Message
		token      string
		badge      int
		title, txt string
	}{{a, "tok-a", 3, "T a", "B a"}, {b, "tok-b", 7, "T b", "B b"}} {
		badge := c.badge
		want := &messaging.Message{
			Token:        c.token,
			Notification: &messaging.Notification{Title: c.title, Body: c.txt},
			Data: map[string]string{"type": "ANNOUNCEMENT", "notificationId": "n1", "deepLink": "sameside://announcements/a1",
				"category": string(models.CategoryAnnouncement), "announcementId": "a1"},
			Android: &messaging.AndroidConfig{
				CollapseKey: n.CollapseKey, Priority: "high",
				Notification: &messaging.AndroidNotification{ChannelID: strings.ToLower(string(models.CategoryAnnouncement)), Tag: n.CollapseKey, NotificationCount: &badge},
			},
			APNS: &messaging.APNSConfig{
				Headers: map[string]string{"apns-priority": "10", "apns-collapse-id": strings.Repeat("k", 64)},
				Payload: &messaging.APNSPayload{Aps: &messaging.Aps{ThreadID: "school-1", Badge: &badge, Sound: "default"}},
			},
		}
		gotJSON, err := json.Marshal(c.got)
		if err != nil {
			t.Fatal(err)
		}
		wantJSON, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("message for %s:\n got %s\nwant %s", c.token, gotJSON, wantJSON)
		}
	}
}
