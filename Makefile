# SameSide: `make run` serves the API, `make test` runs every test.
GO       ?= go
# Go's build cache keys a package of this module by the directory it was
# built in, unless -trimpath: without it, every fresh clone (CI's is one)
# compiles the whole module again, for vet and for each test pass. With
# it, a clone anywhere reuses what any other clone built.
export GOFLAGS += -trimpath
EMULATOR := tools/emulator
FIREBASE := $(EMULATOR)/node_modules/.bin/firebase
# The Firebase project the Auth emulator runs for; "demo-" projects never
# reach Google.
EMULATOR_PROJECT := demo-sameside
# Apollo's own persisted query manifest generator, pinned (npm).
APOLLO := tools/apollo
APOLLO_PQM := $(APOLLO)/node_modules/.bin/generate-persisted-query-manifest
TSX := $(CURDIR)/$(APOLLO)/node_modules/.bin/tsx

.PHONY: run test test-go fuzz check generate release tidy node-deps emulator-deps apollo-deps playground-assets bench-push bench-feed bench-history bench-peers bench-send bench-live bench-announce bench-roster bench-urgent

## run: serve the API with the demo school (embedded PostgreSQL if none answers)
run:
	$(GO) run ./server

## test: every test, with the Firebase Auth emulator running (on free ports,
## so two runs on one machine do not collide), on the local PostgreSQL (if it
## answers) and again on an embedded one
test: node-deps
	@dir=$$(mktemp -d) && $(GO) run ./tools/freeport $$dir && cd $$dir && \
	$(CURDIR)/$(FIREBASE) emulators:exec --only auth --project $(EMULATOR_PROJECT) \
		"cd $(CURDIR) && $(MAKE) --no-print-directory test-go"; rc=$$?; rm -rf $$dir; exit $$rc

## The Apollo client test (mobile-contracts, TestApolloClient) must run here,
## not skip: make test installs its tools.
test-go: export SAMESIDE_NODE_TOOLS = required
test-go: check
	@echo "--- $$(date +%T) every package but those below, once"
	SAMESIDE_SCALEOUT_DURATION=30s $(GO) test -count=1 $(PLAIN_PKGS)
	@echo "--- $$(date +%T) the packages with concurrency, under the race detector"
	$(GO) test -race -count=1 $(RACE_PKGS)
	@echo "--- $$(date +%T) again with no local PostgreSQL: what depends on where the database comes from"
	SAMESIDE_LOCAL_PG=off SAMESIDE_SCALEOUT_DURATION=15s $(GO) test -count=1 -skip '^TestPushFanOutSurvivesAKill$$' $(EMBEDDED_PKGS)
	@echo "--- $$(date +%T) the fuzz tests"
	@$(MAKE) --no-print-directory fuzz FUZZTIME=2000x
	@echo "--- $$(date +%T) done"

## The packages whose code runs goroutines side by side (API handlers,
## subscriptions, push workers, limits, sign-in cache).
## Their tests run once, under the race detector; every other package's run
## once without it.
RACE_PKGS := ./graph/ ./server/push/ ./server/api/ ./server/auth/ ./models/...
PLAIN_PKGS = $(filter-out $(shell $(GO) list $(RACE_PKGS)),$(shell $(GO) list ./...))
## The embedded pass: finding, starting and adopting the database, and the
## server binary (one and several processes) on it. The other packages get
## a fresh database from the same place whichever it is.
EMBEDDED_PKGS := ./server/ ./server/database/... ./server/app/

## fuzz: each fuzz test for FUZZTIME (default 30s) from its checked-in seeds:
## cursors, draft hints, invitation codes, bearer tokens. make test gives each
## a count of inputs (2000x), not a duration: with a duration, Go 1.26's fuzz
## coordinator can report "context deadline exceeded" as a failure when the
## time runs out mid-input on a busy machine (Go issue 75804, fixed in 1.27).
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeCursor$$' -fuzztime $(FUZZTIME) ./models/domain/
	$(GO) test -run '^$$' -fuzz '^FuzzDraftHints$$' -fuzztime $(FUZZTIME) ./models/domain/
	$(GO) test -run '^$$' -fuzz '^FuzzNormalizeInvitationCode$$' -fuzztime $(FUZZTIME) ./models/domain/
	$(GO) test -run '^$$' -fuzz '^FuzzDemoTokenVerify$$' -fuzztime $(FUZZTIME) ./server/auth/

## check: vet, formatting, go.mod tidy, generated code up to date (the
## GraphQL execution code, the manifests, Apollo's manifest, the schema file,
## the Kotlin and Swift push types)
check: apollo-deps
	@echo "--- $$(date +%T) check: vet, formatting, generated code"
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) mod tidy -diff
	@before=$$(find graph -type f | sort | xargs sha256sum); \
	$(GO) tool gqlgen generate && \
	after=$$(find graph -type f | sort | xargs sha256sum); \
	test "$$before" = "$$after" || { echo "generated code was stale: regenerated it; review and commit"; exit 1; }
	$(GO) run ./mobile-contracts/cmd/manifest -check
	@before=$$(sha256sum mobile-contracts/persisted-query-manifest.json); \
	$(APOLLO_PQM) --config $(APOLLO)/persisted-query-manifest.config.json >/dev/null && \
	after=$$(sha256sum mobile-contracts/persisted-query-manifest.json); \
	test "$$before" = "$$after" || { echo "Apollo's manifest was stale: regenerated it; review and commit"; exit 1; }
	@before=$$(sha256sum mobile-contracts/generated/*); \
	cd $(APOLLO) && $(TSX) push-types.ts $(CURDIR)/mobile-contracts && cd $(CURDIR) && \
	after=$$(sha256sum mobile-contracts/generated/*); \
	test "$$before" = "$$after" || { echo "the push types in mobile-contracts/generated were stale: regenerated them; review and commit"; exit 1; }

## generate: regenerate the GraphQL execution code and resolver stubs, the
## manifests (ours and Apollo's, by Apollo's generator) and the schema file
generate: apollo-deps
	$(GO) generate ./graph/...
	$(GO) run ./mobile-contracts/cmd/manifest
	$(APOLLO_PQM) --config $(APOLLO)/persisted-query-manifest.config.json
	cd $(APOLLO) && $(TSX) push-types.ts $(CURDIR)/mobile-contracts

## release: keep an app release's contract (VERSION=1.1.0, optionally
## MINIMUM=1.0.0, the oldest still supported): its Apollo manifest and
## schema in mobile-contracts/releases/, and the index
release: generate
	$(GO) run ./mobile-contracts/cmd/release -version "$(VERSION)" $(if $(MINIMUM),-minimum "$(MINIMUM)")

## bench-push: fan-out of one notice to 10,000 devices (fake FCM, 20 ms a
## request) against SendEach alone sending the same messages (and the
## smallest ones); prints the medians of 5 runs and the ratios
bench-push:
	$(GO) test -run '^$$' -bench 'FanOut10k' -benchtime 3x -count 5 ./server/push/ | tee /tmp/sameside-bench-push.txt
	@awk -v metric=msgs/s -v num=BenchmarkFanOut10k/pipeline -v den=BenchmarkFanOut10k/direct-SendEach \
		-f tools/benchratio.awk /tmp/sameside-bench-push.txt
	@awk -v metric=msgs/s -v num=BenchmarkFanOut10k/pipeline -v den=BenchmarkFanOut10k/direct-SendEach-minimal \
		-f tools/benchratio.awk /tmp/sameside-bench-push.txt | grep '^ratio'

## bench-feed: a parent's feed page (demo school scaled to 1,000 students and
## 100,000 observations) through GraphQL over HTTP against raw SQL, one
## client at a time and 8 at once; and the page with every item translated
## for the parent against the same page untranslated
bench-feed:
	$(GO) test -run '^$$' -bench 'FeedPage' -benchtime 2s -count 5 ./graph/ | tee /tmp/sameside-bench-feed.txt
	@awk -v metric=pages/s -v num=BenchmarkFeedPage/graphql-http -v den=BenchmarkFeedPage/raw-sql \
		-f tools/benchratio.awk /tmp/sameside-bench-feed.txt
	@awk -v metric=pages/s -v num=BenchmarkFeedPage/graphql-http-parallel -v den=BenchmarkFeedPage/raw-sql-parallel \
		-f tools/benchratio.awk /tmp/sameside-bench-feed.txt | grep '^ratio'
	@awk '/BenchmarkFeedPage\/interleaved/ { for (i = 2; i < NF; i++) { if ($$(i+1) == "graphql-pages/s") t[++nt] = $$i; if ($$(i+1) == "raw-pages/s") u[++nu] = $$i } } \
		END { for (i = 1; i <= nt; i++) r[i] = t[i] / u[i]; n = asort(r); printf "ratio graphql / raw-sql (interleaved, one client), median of %d runs = %.2f\n", n, (n % 2) ? r[(n+1)/2] : (r[n/2] + r[n/2+1]) / 2 }' \
		/tmp/sameside-bench-feed.txt
	@awk -v metric=translated-pages/s -v num=BenchmarkFeedPage/translated-interleaved -v den=none \
		-f tools/benchratio.awk /tmp/sameside-bench-feed.txt
	@awk -v metric=untranslated-pages/s -v num=BenchmarkFeedPage/translated-interleaved -v den=none \
		-f tools/benchratio.awk /tmp/sameside-bench-feed.txt
	@awk '/translated-interleaved/ { for (i = 2; i < NF; i++) { if ($$(i+1) == "translated-pages/s") t[++nt] = $$i; if ($$(i+1) == "untranslated-pages/s") u[++nu] = $$i } } \
		END { for (i = 1; i <= nt; i++) r[i] = t[i] / u[i]; n = asort(r); printf "ratio translated / untranslated (interleaved), median of %d runs = %.2f\n", n, (n % 2) ? r[(n+1)/2] : (r[n/2] + r[n/2+1]) / 2 }' \
		/tmp/sameside-bench-feed.txt

## bench-history: the parent's feed page with 10,000 observations against
## 1,000,000 (two servers, two databases, interleaved); prints each side's
## median latency over 5 runs and the median of the runs' ratios 1M / 10k
bench-history:
	$(GO) test -run '^$$' -bench 'FeedHistory' -benchtime 3000x -count 1 -timeout 30m ./graph/ | tee /tmp/sameside-bench-history.txt
	@awk -v metric=10k-p50-ms -v num=BenchmarkFeedHistory/interleaved -v den=none -f tools/benchratio.awk /tmp/sameside-bench-history.txt
	@awk -v metric=1M-p50-ms -v num=BenchmarkFeedHistory/interleaved -v den=none -f tools/benchratio.awk /tmp/sameside-bench-history.txt
	@awk '/BenchmarkFeedHistory\/interleaved/ { for (i = 2; i < NF; i++) { if ($$(i+1) == "10k-p50-ms") t[++nt] = $$i; if ($$(i+1) == "1M-p50-ms") u[++nu] = $$i } } \
		END { for (i = 1; i <= nt; i++) r[i] = u[i] / t[i]; n = asort(r); printf "ratio p50 1M / p50 10k (interleaved), median of %d runs = %.2f\n", n, (n % 2) ? r[(n+1)/2] : (r[n/2] + r[n/2+1]) / 2 }' \
		/tmp/sameside-bench-history.txt

## bench-peers: the feed page from SameSide, a hand-written Go server (same
## SQL, same JSON) and PostGraphile 4, on one database, driven in turn with
## 1 and 8 clients for 5 rounds; prints medians (pages/s, p50, server CPU
## per page) and SameSide's ratios to the two
bench-peers:
	cd tools/benchpeers/postgraphile && npm ci --no-audit --no-fund --loglevel=error
	$(GO) run ./tools/benchpeers -rounds 5 -seconds 3 -clients 1,8

## bench-announce: an urgent school-wide announcement to 2,000 families (4,000
## devices) through GraphQL until the last push, against direct SendEach
## (each side on its own, then the two interleaved round by round)
bench-announce:
	$(GO) test -run '^$$' -bench 'UrgentAnnouncement' -benchtime 3x -count 5 ./graph/ | tee /tmp/sameside-bench-announce.txt
	@awk -v metric=msgs/s -v num=BenchmarkUrgentAnnouncement/graphql-publish -v den=BenchmarkUrgentAnnouncement/direct-SendEach \
		-f tools/benchratio.awk /tmp/sameside-bench-announce.txt
	@awk -v metric=msgs/s -v num=BenchmarkUrgentAnnouncement/graphql-publish -v den=BenchmarkUrgentAnnouncement/direct-SendEach-minimal \
		-f tools/benchratio.awk /tmp/sameside-bench-announce.txt | grep '^ratio'
	@awk '/BenchmarkUrgentAnnouncement\/interleaved/ { for (i = 2; i < NF; i++) { if ($$(i+1) == "publish-msgs/s") t[++nt] = $$i; if ($$(i+1) == "direct-msgs/s") u[++nu] = $$i } } \
		END { for (i = 1; i <= nt; i++) r[i] = t[i] / u[i]; n = asort(r); printf "ratio graphql-publish / direct-SendEach (interleaved), median of %d runs = %.2f\n", n, (n % 2) ? r[(n+1)/2] : (r[n/2] + r[n/2+1]) / 2 }' \
		/tmp/sameside-bench-announce.txt

## bench-urgent: an urgent announcement to 2,000 families on every channel
## (4,000 devices, 4,000 numbers, 4,000 addresses) through GraphQL until the
## last send, against the same sends made directly through the same clients
bench-urgent:
	$(GO) test -run '^$$' -bench 'UrgentAllChannels' -benchtime 3x -count 5 ./graph/ | tee /tmp/sameside-bench-urgent.txt
	@awk -v metric=msgs/s -v num=BenchmarkUrgentAllChannels/graphql-publish -v den=BenchmarkUrgentAllChannels/direct \
		-f tools/benchratio.awk /tmp/sameside-bench-urgent.txt

## bench-send: a teacher's message through GraphQL over HTTP (the app's
## SendMessage) against a bare INSERT + COMMIT of a message row, one client,
## interleaved call by call on a quiet machine; medians and their ratio
bench-send:
	$(GO) test -run '^$$' -bench 'SendMessage' -benchtime 2000x -count 5 ./graph/ | tee /tmp/sameside-bench-send.txt
	@awk -v metric=sendMessage-ms -v num=BenchmarkSendMessage/interleaved -v den=none -f tools/benchratio.awk /tmp/sameside-bench-send.txt
	@awk -v metric=insert-ms -v num=BenchmarkSendMessage/interleaved -v den=none -f tools/benchratio.awk /tmp/sameside-bench-send.txt
	@awk '/BenchmarkSendMessage\/interleaved/ { for (i = 2; i < NF; i++) { if ($$(i+1) == "sendMessage-ms") t[++nt] = $$i; if ($$(i+1) == "insert-ms") u[++nu] = $$i } } \
		END { for (i = 1; i <= nt; i++) r[i] = t[i] / u[i]; n = asort(r); printf "ratio sendMessage / INSERT + COMMIT (interleaved, one client), median of %d runs = %.2f\n", n, (n % 2) ? r[(n+1)/2] : (r[n/2] + r[n/2+1]) / 2 }' \
		/tmp/sameside-bench-send.txt

## bench-live: 1,000 websocket subscribers over 2 server processes, 200
## messages/s for 30 s; delivery p50/p99 against SELECT 1 p99, server RSS
bench-live:
	$(GO) run ./tools/benchlive -subscribers 1000 -rate 200 -duration 30s

## bench-roster: import a synthetic district (50,000 students, 90,000 guardians,
## 2,500 classes) against a COPY of the same rows; rows/s, ratio, peak RSS
bench-roster:
	$(GO) run ./tools/benchroster -rounds 3

## playground-assets: fetch the playground's GraphiQL and React again from
## npm, at the pinned versions, into server/api/playground (checked in, so
## the binary serves them offline)
PLAYGROUND := server/api/playground
playground-assets:
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent graphiql@4.1.2 react@18.2.0 react-dom@18.2.0 >/dev/null && \
	for f in *.tgz; do mkdir -p $${f%.tgz} && tar xzf $$f -C $${f%.tgz}; done && \
	cp graphiql-4.1.2/package/graphiql.min.js graphiql-4.1.2/package/graphiql.min.css $(CURDIR)/$(PLAYGROUND)/ && \
	cp react-18.2.0/package/umd/react.production.min.js react-dom-18.2.0/package/umd/react-dom.production.min.js $(CURDIR)/$(PLAYGROUND)/ && \
	rm -rf $$tmp

## node-deps: both npm installs (each only when its lock file changed),
## side by side: on a clean clone about 30 s rather than 36 one after the
## other.
node-deps:
	@$(MAKE) --no-print-directory -j2 emulator-deps apollo-deps

emulator-deps: $(FIREBASE)

## --ignore-scripts: the Auth emulator needs none of the packages' install
## scripts (the one that costs is re2's native build, about 1½ minutes here,
## for emulators the tests do not start).
$(FIREBASE): $(EMULATOR)/package.json $(EMULATOR)/package-lock.json
	cd $(EMULATOR) && npm ci --prefer-offline --no-audit --no-fund --ignore-scripts
	@touch $@

apollo-deps: $(APOLLO_PQM)

$(APOLLO_PQM): $(APOLLO)/package.json $(APOLLO)/package-lock.json
	cd $(APOLLO) && npm ci --prefer-offline --no-audit --no-fund
	@touch $@
