package contracts_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/server/apptest"
)

// uidTokens accepts "uid:<uid>" (Firebase's stand-in in production mode).
type uidTokens struct{}

func (uidTokens) Verify(_ context.Context, token string) (domain.Identity, error) {
	uid, ok := strings.CutPrefix(token, "uid:")
	if !ok {
		return domain.Identity{}, errors.New("not a test token")
	}
	return domain.Identity{UID: uid, Email: uid + "@example.org"}, nil
}

// TestApolloClient runs tools/apollo/client.test.ts: the real Apollo Client
// and graphql-ws, as the app teams will use them, sign in with demo tokens,
// read the feed through automatic persisted queries (hash, then text on
// PersistedQueryNotFound, then hash alone), receive a message on a
// subscription, and run production's persisted flow from Apollo's
// manifest (ids only; an operation outside it refused with
// PERSISTED_QUERY_NOT_IN_LIST). make test installs the tools (npm ci in
// tools/apollo) and sets SAMESIDE_NODE_TOOLS=required.
func TestApolloClient(t *testing.T) {
	tsx := nodeTools(t)
	dev := apptest.New(t, apptest.Options{Seed: true})
	prod := apptest.New(t, apptest.Options{Production: true, FirebaseProjectID: "demo-sameside", Verifier: uidTokens{}})
	parent, teacher := dev.Token("parent"), dev.Token("teacher")
	var who struct {
		Viewer struct {
			ID       string
			Children []struct{ ID string }
		}
	}
	dev.Do(parent, `{ viewer { id children { id } } }`, nil).Decode(t, &who)
	var started struct {
		StartConversation struct{ Conversation struct{ ID string } }
	}
	dev.Do(teacher, `mutation($in: StartConversationInput!) { startConversation(input: $in) { conversation { id } } }`, map[string]any{"in": map[string]any{
		"clientMutationId": "apollo-client", "studentId": who.Viewer.Children[0].ID, "participantIds": []string{who.Viewer.ID},
		"subject": "Reading together", "body": "Shall we talk about reading?"}}).Decode(t, &started)

	ops, _ := filepath.Abs("operations")
	manifest, _ := filepath.Abs("persisted-query-manifest.json")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tsx, "client.test.ts")
	cmd.Dir = "../tools/apollo"
	cmd.Env = append(os.Environ(), "DEV_URL="+dev.Server.URL, "PARENT_TOKEN="+parent, "TEACHER_TOKEN="+teacher,
		"CONVERSATION_ID="+started.StartConversation.Conversation.ID, "PROD_URL="+prod.Server.URL, "PROD_TOKEN=uid:apollo-prod",
		"OPERATIONS="+ops, "MANIFEST="+manifest)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out []string
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		line := lines.Text()
		out = append(out, line)
		if line == "SUBSCRIBED" {
			dev.WaitSubscribers(1) // the server holds it: the message cannot outrun it
			if _, err := io.WriteString(stdin, "go\n"); err != nil {
				t.Fatal(err)
			}
		}
	}
	err = cmd.Wait()
	t.Logf("client.test.ts took %v", time.Since(began).Round(time.Millisecond))
	if err != nil || len(out) == 0 || out[len(out)-1] != "OK" {
		t.Fatalf("client.test.ts: %v\nstdout:\n%s\nstderr:\n%s", err, strings.Join(out, "\n"), stderr.String())
	}
}
