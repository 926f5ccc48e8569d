package config

import (
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsAreDemoDevelopment(t *testing.T) {
	c, err := Load(nil, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !c.DemoMode() || c.Production() || c.Addr != ":8080" || !c.Seed || c.LocalPostgres != "127.0.0.1:5432" || c.EmbeddedPort != 54329 {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	c, err := Load([]string{"-port", "9000"}, envOf(map[string]string{"PORT": "7000", "SAMESIDE_LOCAL_PG": "off"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9000" || c.LocalPostgres != "" {
		t.Fatalf("got %+v", c)
	}
}

// TestStrayArgumentsRefused: a word the server does not know (a mistyped or
// retired command, such as the load command that moved to tools/load) is an
// error, never silently a server start.
func TestStrayArgumentsRefused(t *testing.T) {
	_, err := Load([]string{"load", "-duration", "5s"}, envOf(nil))
	if err == nil || !strings.Contains(err.Error(), `"load"`) {
		t.Fatalf("err = %v, want the stray argument named", err)
	}
}

func TestRefusals(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"demo mode in production", map[string]string{"SAMESIDE_ENV": "production", "DATABASE_URL": "postgres://x"}, "demo mode refuses"},
		{"emulator in production", map[string]string{"SAMESIDE_ENV": "production", "DATABASE_URL": "postgres://x", "FIREBASE_PROJECT_ID": "p", "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"}, "EMULATOR"},
		{"production needs a database", map[string]string{"SAMESIDE_ENV": "production", "FIREBASE_PROJECT_ID": "p"}, "DATABASE_URL is required"},
		{"unknown env", map[string]string{"SAMESIDE_ENV": "staging"}, "SAMESIDE_ENV must be"},
		{"bad port", map[string]string{"PORT": "http"}, "PORT must be"},
		{"bad log level", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL must be"},
		{"negative rate limit", map[string]string{"SAMESIDE_RATE_LIMIT": "-1"}, "SAMESIDE_RATE_LIMIT must be 0 to 100000"},
		{"no sockets", map[string]string{"SAMESIDE_MAX_SOCKETS_PER_USER": "0"}, "SAMESIDE_MAX_SOCKETS_PER_USER must be 1 to 1000"},
		{"one connection", map[string]string{"SAMESIDE_DB_MAX_CONNS": "1"}, "SAMESIDE_DB_MAX_CONNS must be 2 to 500"},
		{"no translators", map[string]string{"SAMESIDE_TRANSLATE_WORKERS": "0"}, "SAMESIDE_TRANSLATE_WORKERS must be 1 to 100"},
		{"path as an origin", map[string]string{"SAMESIDE_CORS_ORIGINS": "https://app.example.org/login"}, "is not an origin"},
		{"rescue too soon", map[string]string{"SAMESIDE_JOB_RESCUE_AFTER": "10ms"}, "SAMESIDE_JOB_RESCUE_AFTER must be"},
		{"outcome wait of an hour", map[string]string{"SAMESIDE_PUSH_OUTCOME_WAIT": "1h"}, "SAMESIDE_PUSH_OUTCOME_WAIT must be"},
		{"negative outcome wait", map[string]string{"SAMESIDE_PUSH_OUTCOME_WAIT": "-1ms"}, "SAMESIDE_PUSH_OUTCOME_WAIT must be"},
		{"push poll not a duration", map[string]string{"SAMESIDE_PUSH_POLL": "soon"}, `SAMESIDE_PUSH_POLL must be a duration from 10ms to 1h, not "soon"`},
		{"no push poll", map[string]string{"SAMESIDE_PUSH_POLL": "0s"}, "SAMESIDE_PUSH_POLL must be"},
		{"limits sync too often", map[string]string{"SAMESIDE_LIMITS_SYNC": "1ms"}, "SAMESIDE_LIMITS_SYNC must be a duration from 10ms to 1m, not"},
		{"fallback too late", map[string]string{"SAMESIDE_FALLBACK_AFTER": "72h"}, "SAMESIDE_FALLBACK_AFTER must be a duration from 1m to 48h, not"},
	}
	// A flag is held to its variable's bounds.
	for _, args := range [][]string{{"-job-rescue-after", "10ms"}, {"-push-poll", "-1s"}} {
		if _, err := Load(args, envOf(nil)); err == nil || !strings.Contains(err.Error(), "must be a duration") {
			t.Errorf("%v: err = %v, want the bounds", args, err)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(nil, envOf(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if c, err := Load(nil, envOf(map[string]string{"SAMESIDE_ENV": "production", "DATABASE_URL": "postgres://x", "FIREBASE_PROJECT_ID": "p"})); err != nil || c.Seed || c.DemoMode() {
		t.Fatalf("valid production config refused or seeding: %+v %v", c, err)
	}
	c, err := Load(nil, envOf(map[string]string{"SAMESIDE_CORS_ORIGINS": "https://app.example.org, http://localhost:3000", "SAMESIDE_RATE_LIMIT": "0"}))
	if err != nil || len(c.CORSOrigins) != 2 || c.RateLimit != 0 || c.MaxSocketsPerUser != 10 || c.DBMaxConns != 20 || c.JobRescueAfter.Minutes() != 5 || c.PushOutcomeWait != 10*time.Millisecond {
		t.Fatalf("origins, rate limit off and defaults: %+v %v", c, err)
	}
}

// The on/off switches: empty and "on" are on, "off" is off, anything else
// is refused with the variable's name.
func TestOnOffSwitches(t *testing.T) {
	for name, get := range map[string]func(Config) bool{
		"SAMESIDE_TRANSLATE":       func(c Config) bool { return c.TranslateOff },
		"SAMESIDE_WEEKLY_REMINDER": func(c Config) bool { return c.WeeklyReminderOff },
		"SAMESIDE_COMPILED":        func(c Config) bool { return c.CompiledOff },
	} {
		for value, wantOff := range map[string]bool{"": false, "on": false, "off": true} {
			c, err := Load(nil, func(k string) string {
				if k == name {
					return value
				}
				return ""
			})
			if err != nil || get(c) != wantOff {
				t.Errorf("%s=%q: off %v, err %v; want off %v", name, value, get(c), err, wantOff)
			}
		}
		_, err := Load(nil, func(k string) string {
			if k == name {
				return "maybe"
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=maybe: err %v, want one naming the variable", name, err)
		}
	}
}

// The load command's instances, and any deployment of several, must fit
// the database's connections: three at the defaults (34 each) do not fit
// the 97 a default PostgreSQL leaves for clients.
func TestDBMaxConnsFor(t *testing.T) {
	c, err := Load(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if got := c.DBConnections(); got != 34 {
		t.Fatalf("one process at the defaults holds %d connections, want 34 (20 + 4 + 4 + 6)", got)
	}
	for _, tc := range []struct {
		room, instances, want int
	}{
		{97, 1, 20}, // fits: the setting as it is
		{97, 2, 20},
		{97, 3, 18}, // 32 each: 14 for the rest, 18 for the API
		{90, 3, 16},
		{48, 3, 2},
	} {
		got, err := c.DBMaxConnsFor(tc.room, tc.instances)
		if err != nil || got != tc.want {
			t.Errorf("%d connections for %d: %d, %v; want %d", tc.room, tc.instances, got, err, tc.want)
		}
		if err == nil && tc.instances*(c.DBConnections()-c.DBMaxConns+got) > tc.room {
			t.Errorf("%d connections for %d: %d each does not fit", tc.room, tc.instances, got)
		}
	}
	if _, err := c.DBMaxConnsFor(47, 3); err == nil || !strings.Contains(err.Error(), "need at least 48") {
		t.Errorf("47 for 3: %v; want an error saying 48 are needed", err)
	}
}
