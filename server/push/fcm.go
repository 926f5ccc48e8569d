package push

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/messaging"
	"google.golang.org/api/option"
)

// NewFCM returns a firebase-admin-go messaging client. With endpoint empty it
// talks to FCM with the service account in GOOGLE_APPLICATION_CREDENTIALS (or
// the platform's default credentials). With an endpoint (a fake FCM in tests
// and the demo) it uses an App of its own, without authentication, and an
// HTTP client sized for hundreds of concurrent requests on one host.
func NewFCM(ctx context.Context, projectID, endpoint string) (*messaging.Client, error) {
	var opts []option.ClientOption
	name := "sameside-fcm"
	if endpoint != "" {
		opts = append(opts, option.WithEndpoint(endpoint), option.WithoutAuthentication(), option.WithHTTPClient(localClient()))
		name = "sameside-fcm-fake"
	}
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: projectID, ServiceAccountID: ""}, opts...)
	if err != nil {
		return nil, fmt.Errorf("fcm app %s: %w", name, err)
	}
	c, err := app.Messaging(ctx)
	if err != nil {
		return nil, fmt.Errorf("fcm client: %w", err)
	}
	return c, nil
}

// localClient keeps connections to one host open for reuse: SendEach runs 50
// requests at once per batch, several batches in flight.
func localClient() *http.Client {
	t := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 512,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{Transport: t, Timeout: 60 * time.Second}
}
