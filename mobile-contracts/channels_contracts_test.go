package contracts_test

import (
	"crypto/sha256"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

// channelContracts runs the email and SMS settings as the app sends them: a
// parent adds a number, proves it with the code it got, turns texts off
// and on, lists their points and removes one. school is the admin's own
// (the seeded server holds other schools by now: never "any school").
func channelContracts(t *testing.T, env *apptest.Env, admin, parent, school string, ops map[string]string, covered map[string]bool) {
	do := func(op string, in map[string]any, want string) string {
		t.Helper()
		vars := map[string]any{}
		if in != nil {
			vars["input"] = in
		}
		res := env.Do(parent, ops[op], vars)
		if len(res.Errors) > 0 || !strings.Contains(string(res.Data), want) {
			t.Fatalf("%s: want %s in %s", op, want, res.Body)
		}
		covered[op] = true
		return string(res.Data)
	}
	data := do("AddContactPoint", map[string]any{"channel": "SMS", "address": "+14158923003"}, `"address":"+14158923003"`)
	id := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(data)[1]
	texts := env.Twilio.Await(1, 10*time.Second)
	if len(texts) == 0 {
		t.Fatal("no code was texted")
	}
	if res := env.Do(parent, ops["ResendContactCode"], map[string]any{"input": map[string]any{"contactPointId": id}}); res.Code() != "RATE_LIMITED" {
		t.Fatalf("ResendContactCode at once: %s", res.Body)
	}
	covered["ResendContactCode"] = true
	do("VerifyContactPoint", map[string]any{"contactPointId": id, "code": regexp.MustCompile(`[0-9]{6}`).FindString(texts[0].Body)}, `"verifiedAt":"`)
	do("SetContactPointOptOut", map[string]any{"contactPointId": id, "optOut": true}, `"optedOutAt":"`)
	do("SetContactPointOptOut", map[string]any{"contactPointId": id, "optOut": false}, `"optedOutAt":null`)
	do("ContactPoints", nil, `"address":"+14158923003"`)
	do("RemoveContactPoint", map[string]any{"contactPointId": id}, id)
	if res := env.Do(admin, ops["UndeliverableContacts"], nil); len(res.Errors) > 0 || !strings.Contains(string(res.Data), `"undeliverableContacts":[]`) {
		t.Fatalf("UndeliverableContacts: %s", res.Body)
	}
	covered["UndeliverableContacts"] = true
	if res := env.Do(admin, ops["SetSchoolDigestTime"], map[string]any{"input": map[string]any{"schoolId": school, "time": "17:30"}}); len(res.Errors) > 0 || !strings.Contains(string(res.Data), `"digestTime":"17:30"`) {
		t.Fatalf("SetSchoolDigestTime: %s", res.Body)
	}
	covered["SetSchoolDigestTime"] = true
	if res := env.Do(admin, ops["SetSchoolChannels"], map[string]any{"input": map[string]any{"schoolId": school, "channels": []string{"SMS", "EMAIL"}}}); len(res.Errors) > 0 || !strings.Contains(string(res.Data), `"channels":["SMS","EMAIL"]`) {
		t.Fatalf("SetSchoolChannels: %s", res.Body)
	}
	covered["SetSchoolChannels"] = true

	// A roster record waiting to be claimed, with its invitation's code.
	placeholder := models.User{ID: uuid.NewString(), DisplayName: "Lan Nguyen", Locale: "en-US", TimeZone: "UTC"}
	placeholder.FirebaseUID = models.UnclaimedUIDPrefix + placeholder.ID
	hash := sha256.Sum256([]byte("K7QM3XPDWNAB"))
	for _, row := range []any{&placeholder, &models.Membership{UserID: placeholder.ID, SchoolID: school, Role: models.RoleParent},
		&models.RosterClaim{UserID: placeholder.ID, CodeHash: hash[:], ExpiresAt: time.Now().Add(time.Hour)}} {
		if err := env.DB.Create(row).Error; err != nil {
			t.Fatal(err)
		}
	}
	newcomer := env.TokenFor(&models.User{FirebaseUID: "contracts-claimer"})
	if res := env.Do(newcomer, ops["ClaimRosterRecord"], map[string]any{"input": map[string]any{"code": "k7qm-3xpd-wnab"}}); len(res.Errors) > 0 ||
		!strings.Contains(string(res.Data), `"role":"PARENT"`) {
		t.Fatalf("ClaimRosterRecord: %s", res.Body)
	}
	covered["ClaimRosterRecord"] = true
}
