package graph_test

import (
	"strings"
	"testing"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

const (
	qRegister   = `mutation($t: String!, $v: String!, $l: String) { registerDevice(input: {token: $t, platform: IOS, appVersion: $v, locale: $l}) { id platform appVersion locale tokenSuffix } }`
	qUnregister = `mutation($t: String!) { unregisterDevice(input: {token: $t}) { removed } }`
	qDevices    = `{ viewer { devices { id tokenSuffix appVersion } } }`
	qPrefs      = `{ viewer { notificationPreferences { categories { category push } quietHours { start end } timeZone } } }`
	qSetPrefs   = `mutation($in: UpdateNotificationPreferencesInput!) { updateNotificationPreferences(input: $in) { categories { category push } quietHours { start end } } }`
	qTestPush   = `mutation { sendTestNotification { deviceCount } }`
)

func TestDevices(t *testing.T) {
	f := newFixture(t)
	a, b := f.token("parentA"), f.token("parentB")
	var first, again struct {
		RegisterDevice struct{ ID, AppVersion, Locale, TokenSuffix string }
	}
	f.Do(a, qRegister, map[string]any{"t": "device-token-abcdef", "v": "1.0.0"}).Decode(t, &first)
	if first.RegisterDevice.TokenSuffix != "abcdef" || first.RegisterDevice.Locale != "en-US" {
		t.Fatalf("registered: %+v", first)
	}
	// App start again, new version: same device, refreshed.
	f.Do(a, qRegister, map[string]any{"t": "device-token-abcdef", "v": "1.1.0", "l": "es-MX"}).Decode(t, &again)
	if again.RegisterDevice.ID != first.RegisterDevice.ID || again.RegisterDevice.AppVersion != "1.1.0" || again.RegisterDevice.Locale != "es-MX" {
		t.Fatalf("re-registered: %+v", again)
	}
	if n := f.Count("devices"); n != 1 {
		t.Fatalf("%d devices, want 1", n)
	}
	// Another user cannot unregister it…
	var un struct{ UnregisterDevice struct{ Removed bool } }
	f.Do(b, qUnregister, map[string]any{"t": "device-token-abcdef"}).Decode(t, &un)
	if un.UnregisterDevice.Removed || f.Count("devices") != 1 {
		t.Fatal("another user removed the device")
	}
	// …but signing in on it moves it to them.
	f.Do(b, qRegister, map[string]any{"t": "device-token-abcdef", "v": "1.1.0"}).Decode(t, &again)
	var devs struct {
		Viewer struct{ Devices []struct{ ID string } }
	}
	f.Do(a, qDevices, nil).Decode(t, &devs)
	if len(devs.Viewer.Devices) != 0 {
		t.Fatalf("old user still has the moved token: %+v", devs)
	}
	f.Do(b, qDevices, nil).Decode(t, &devs)
	if len(devs.Viewer.Devices) != 1 {
		t.Fatalf("new user devices: %+v", devs)
	}
	f.Do(b, qUnregister, map[string]any{"t": "device-token-abcdef"}).Decode(t, &un)
	if !un.UnregisterDevice.Removed || f.Count("devices") != 0 {
		t.Fatal("own device not removed")
	}

	// At most 20 devices a user: the least recently registered go.
	for i := 0; i < 22; i++ {
		f.Do(a, qRegister, map[string]any{"t": "many-" + string(rune('a'+i)), "v": "1"})
	}
	f.Do(a, qDevices, nil).Decode(t, &devs)
	if len(devs.Viewer.Devices) != models.MaxDevicesPerUser {
		t.Fatalf("%d devices kept, want %d", len(devs.Viewer.Devices), models.MaxDevicesPerUser)
	}

	for name, vars := range map[string]map[string]any{
		"empty token":      {"t": "  ", "v": "1"},
		"token with space": {"t": "abc def", "v": "1"},
		"token too long":   {"t": strings.Repeat("x", 4097), "v": "1"},
		"unknown locale":   {"t": "fine-token", "v": "1", "l": "not a locale"},
		"version too long": {"t": "fine-token", "v": strings.Repeat("9", 33)},
	} {
		t.Run(name, func(t *testing.T) {
			before := f.Count("devices")
			res := f.Do(a, qRegister, vars)
			if res.Code() != "BAD_USER_INPUT" || f.Count("devices") != before {
				t.Fatalf("got %s", res.Body)
			}
		})
	}
}

func TestNotificationPreferences(t *testing.T) {
	f := newFixture(t)
	tok := f.token("parentA")
	type prefs struct {
		Categories []struct {
			Category string
			Push     bool
		}
		QuietHours *struct{ Start, End string }
		TimeZone   string
	}
	var got struct {
		Viewer struct{ NotificationPreferences prefs }
	}
	f.Do(tok, qPrefs, nil).Decode(t, &got)
	p := got.Viewer.NotificationPreferences
	if len(p.Categories) != 8 || p.QuietHours != nil || p.TimeZone != "UTC" {
		t.Fatalf("defaults: %+v", p)
	}
	for _, c := range p.Categories {
		if !c.Push {
			t.Fatalf("%s off by default", c.Category)
		}
	}
	var set struct{ UpdateNotificationPreferences prefs }
	f.Do(tok, qSetPrefs, map[string]any{"in": map[string]any{
		"categories": []map[string]any{{"category": "EVENT", "push": false}, {"category": "COACHING", "push": false}},
		"quietHours": map[string]any{"start": "21:30", "end": "06:45"},
	}}).Decode(t, &set)
	off := 0
	for _, c := range set.UpdateNotificationPreferences.Categories {
		if !c.Push {
			off++
		}
	}
	if off != 2 || set.UpdateNotificationPreferences.QuietHours == nil || *set.UpdateNotificationPreferences.QuietHours != (struct{ Start, End string }{"21:30", "06:45"}) {
		t.Fatalf("after update: %+v", set)
	}
	for name, in := range map[string]map[string]any{
		"hour 25":          {"quietHours": map[string]any{"start": "25:00", "end": "06:00"}},
		"not a time":       {"quietHours": map[string]any{"start": "9pm", "end": "06:00"}},
		"empty window":     {"quietHours": map[string]any{"start": "06:00", "end": "06:00"}},
		"set and clear":    {"quietHours": map[string]any{"start": "22:00", "end": "06:00"}, "clearQuietHours": true},
		"category twice":   {"categories": []map[string]any{{"category": "EVENT", "push": true}, {"category": "EVENT", "push": false}}},
		"unknown category": {"categories": []map[string]any{{"category": "SYSTEM", "push": false}}},
	} {
		t.Run(name, func(t *testing.T) {
			res := f.Do(tok, qSetPrefs, map[string]any{"in": in})
			if res.Code() != "BAD_USER_INPUT" {
				t.Fatalf("got %s", res.Body)
			}
			f.Do(tok, qPrefs, nil).Decode(t, &got)
			if q := got.Viewer.NotificationPreferences.QuietHours; q == nil || q.Start != "21:30" {
				t.Fatalf("refused update changed quiet hours: %+v", q)
			}
		})
	}
	f.Do(tok, qSetPrefs, map[string]any{"in": map[string]any{"clearQuietHours": true}}).Decode(t, &set)
	if set.UpdateNotificationPreferences.QuietHours != nil {
		t.Fatal("quiet hours not cleared")
	}
}

func TestSendTestNotification(t *testing.T) {
	f := newFixture(t)
	tok := f.token("parentA")
	var out struct{ SendTestNotification struct{ DeviceCount int } }
	f.Do(tok, qTestPush, nil).Decode(t, &out)
	if out.SendTestNotification.DeviceCount != 0 {
		t.Fatalf("no devices yet: %+v", out)
	}
	f.Do(tok, `mutation { updateProfile(input: {locale: "es-MX", displayName: "Ana"}) { id } }`, nil)
	f.RegisterDevice(tok, "phone-1")
	f.RegisterDevice(tok, "tablet-1")
	f.Do(tok, qTestPush, nil).Decode(t, &out)
	if out.SendTestNotification.DeviceCount != 2 {
		t.Fatalf("deviceCount %d, want 2", out.SendTestNotification.DeviceCount)
	}
	msgs := f.WaitForPushes(2)
	for _, m := range msgs {
		if !strings.Contains(string(m.Raw), "Las notificaciones funcionan en este dispositivo, Ana.") || m.Data["type"] != "TEST" {
			t.Fatalf("not the Spanish test push: %s", m.Raw)
		}
	}
	// Five in ten minutes, then RATE_LIMITED (the first one had no devices).
	for i := 0; i < 4; i++ {
		if res := f.Do(tok, qTestPush, nil); res.Code() != "" {
			t.Fatalf("push %d: %s", i+2, res.Body)
		}
	}
	before := f.Count("notifications")
	if res := f.Do(tok, qTestPush, nil); res.Code() != "RATE_LIMITED" || f.Count("notifications") != before {
		t.Fatalf("sixth: %s", res.Body)
	}
	// Someone else's devices never get it.
	f.RegisterDevice(f.token("parentB"), "other-family-phone")
	f.WaitForPushes(10)
	if n := f.FCM.CountByToken()["other-family-phone"]; n != 0 {
		t.Fatalf("another family's phone got %d test pushes", n)
	}
}

func TestNotificationOperationsNeedSignIn(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	for name, q := range map[string]string{"register": qRegister, "unregister": qUnregister, "prefs": qSetPrefs, "test": qTestPush, "devices": qDevices} {
		res := env.Do("", q, map[string]any{"t": "x", "v": "1", "in": map[string]any{}})
		if res.Code() != "UNAUTHENTICATED" {
			t.Errorf("%s: %s", name, res.Body)
		}
	}
}
