// The app teams' client, for real: Apollo Client with graphql-ws drives
// the API the way an app built on it would. Run by
// mobile-contracts/apollo_client_test.go, which starts the servers and
// passes their addresses and tokens in the environment:
//
//   DEV_URL, PARENT_TOKEN, TEACHER_TOKEN, CONVERSATION_ID: a development
//   server with the demo school;
//   PROD_URL, PROD_TOKEN: a production server;
//   OPERATIONS: mobile-contracts/operations; MANIFEST: Apollo's manifest.
//
// It prints SUBSCRIBED once its subscription is sent and waits for a line
// on stdin (the Go side sees the server hold the subscription first), then
// sends the message it must receive. Any failed assertion exits non-zero.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

import { ApolloClient, ApolloError, ApolloLink, HttpLink, InMemoryCache, gql, split } from "@apollo/client/core";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import { generatePersistedQueryIdsFromManifest } from "@apollo/persisted-query-lists";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const op = (name: string) => gql(readFileSync(`${env("OPERATIONS")}/${name}.graphql`, "utf8"));
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

// Every HTTP request a client makes, as sent.
type Sent = { hasQuery: boolean; hash?: string };
const recording = (sent: Sent[]): typeof fetch => async (input, init) => {
  const body = JSON.parse(String(init?.body ?? "{}"));
  sent.push({ hasQuery: typeof body.query === "string", hash: body.extensions?.persistedQuery?.sha256Hash });
  return fetch(input, init);
};

const headers = (token: string) => ({
  Authorization: `Bearer ${token}`,
  "apollographql-client-name": "sameside-test",
  "apollographql-client-version": "1.0.0",
});

function client(url: string, token: string, link?: ApolloLink, sent: Sent[] = []) {
  const http = new HttpLink({ uri: `${url}/graphql`, headers: headers(token), fetch: recording(sent) });
  return new ApolloClient({ link: link ? link.concat(http) : http, cache: new InMemoryCache() });
}

async function development() {
  const url = env("DEV_URL");
  // Automatic persisted queries, Apollo's way: the hash first; on
  // PersistedQueryNotFound the text with it; then the hash alone works.
  const sent: Sent[] = [];
  const parent = client(url, env("PARENT_TOKEN"), createPersistedQueryLink({ sha256 }), sent);
  const first = await parent.query({ query: op("Feed"), variables: { first: 5 }, fetchPolicy: "network-only" });
  assert.ok(Array.isArray(first.data.feed.edges), "the feed has edges");
  assert.ok(first.data.feed.edges.length > 0, "the demo parent's feed is not empty");
  assert.equal(first.data.feed.edges[0].node.__typename, "Observation");
  assert.deepEqual(sent.map((s) => s.hasQuery), [false, true], "hash alone, then the text after PersistedQueryNotFound");
  assert.equal(sent[0].hash, sent[1].hash);
  await parent.query({ query: op("Feed"), variables: { first: 5 }, fetchPolicy: "network-only" });
  assert.deepEqual(sent.map((s) => s.hasQuery), [false, true, false], "the hash alone once the server knows it");

  // A message the teacher sends arrives on the parent's subscription.
  const ws = createClient({
    url: url.replace(/^http/, "ws") + "/graphql",
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${env("PARENT_TOKEN")}` },
  });
  const live = new ApolloClient({
    link: split(
      ({ query }) => {
        const d = getMainDefinition(query);
        return d.kind === "OperationDefinition" && d.operation === "subscription";
      },
      new GraphQLWsLink(ws),
      new HttpLink({ uri: `${url}/graphql`, headers: headers(env("PARENT_TOKEN")) }),
    ),
    cache: new InMemoryCache(),
  });
  const body = `From the Apollo client test, ${Date.now()}`;
  const received = new Promise<any>((resolve, reject) => {
    const sub = live.subscribe({ query: op("MessageAdded"), variables: { conversationId: env("CONVERSATION_ID") } }).subscribe({
      next: (r) => {
        if (r.data?.messageAdded?.body === body) {
          sub.unsubscribe();
          resolve(r.data.messageAdded);
        }
      },
      error: reject,
    });
  });
  console.log("SUBSCRIBED");
  await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once("line", () => resolve()));
  const teacher = client(url, env("TEACHER_TOKEN"));
  const sentMsg = await teacher.mutate({
    mutation: op("SendMessage"),
    variables: { input: { clientMutationId: `apollo-${Date.now()}`, conversationId: env("CONVERSATION_ID"), body } },
  });
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("the message did not arrive within 15 s")), 15_000));
  const got = await Promise.race([received, timeout]);
  assert.equal(got.id, sentMsg.data.sendMessage.message.id);
  assert.equal(got.__typename, "Message");
  await ws.dispose();
}

async function production() {
  const url = env("PROD_URL");
  const manifest = JSON.parse(readFileSync(env("MANIFEST"), "utf8"));
  // Persisted queries from Apollo's manifest: ids only, never the text.
  const sent: Sent[] = [];
  const pq = createPersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest: async () => manifest }));
  const app = client(url, env("PROD_TOKEN"), pq, sent);
  const viewer = await app.query({ query: op("Viewer") });
  assert.equal(viewer.data.viewer.__typename, "Viewer");
  const feed = await app.query({ query: op("Feed"), variables: { first: 5 } });
  assert.ok(Array.isArray(feed.data.feed.edges));
  assert.ok(sent.length === 2 && sent.every((s) => !s.hasQuery && s.hash), "production got ids only");
  // An operation no release sends is refused with the documented code.
  const adHoc = client(url, env("PROD_TOKEN"));
  await assert.rejects(adHoc.query({ query: gql("query Mine { viewer { id } }") }), (e: unknown) => {
    assert.ok(e instanceof ApolloError);
    assert.equal(e.graphQLErrors[0]?.extensions?.code, "PERSISTED_QUERY_NOT_IN_LIST");
    return true;
  });
}

development()
  .then(production)
  .then(() => {
    console.log("OK");
    process.exit(0);
  })
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
