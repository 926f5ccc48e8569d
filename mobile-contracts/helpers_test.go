package contracts_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

// mustNewUser signs up a user with no memberships, as a first sign-in would.
func mustNewUser(t *testing.T, env *apptest.Env) *models.User {
	t.Helper()
	u := &models.User{FirebaseUID: fmt.Sprintf("new-%d", time.Now().UnixNano()), DisplayName: "New Parent", Locale: "en-US", TimeZone: "UTC"}
	if err := env.DB.Create(u).Error; err != nil {
		t.Fatal(err)
	}
	return u
}
