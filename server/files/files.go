// Package files keeps uploaded photos and PDFs in a gocloud.dev/blob bucket:
// a local directory by default (fileblob; its signed URLs point at this
// server's /files endpoint, which checks them), or a cloud store by URL
// (gs://…, s3://…) whose own signed URLs the clients use directly.
package files

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/gcsblob" // gs:// (Google Cloud Storage, Firebase Storage)
	_ "gocloud.dev/blob/s3blob"  // s3://
	"gocloud.dev/gcerrors"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/server/database"
	"github.com/sameside/sameside/server/httperr"
)

// Path is where this server serves signed URLs of a local bucket.
const Path = "/files"

// Store is the bucket and how its URLs are signed.
type Store struct {
	Bucket *blob.Bucket
	// signer checks the signed URLs of a local bucket (nil for cloud ones).
	signer *fileblob.URLSignerHMAC
	log    *slog.Logger
}

// Open opens the bucket at bucketURL; "" or a file:// URL is a local
// directory whose URLs are signed with a key shared through the database.
func Open(ctx context.Context, db *gorm.DB, bucketURL string, log *slog.Logger) (*Store, error) {
	if bucketURL != "" && !strings.HasPrefix(bucketURL, "file://") {
		b, err := blob.OpenBucket(ctx, bucketURL)
		if err != nil {
			return nil, fmt.Errorf("files: open %s: %w", bucketURL, err)
		}
		return &Store{Bucket: b, log: log}, nil
	}
	dir := strings.TrimPrefix(bucketURL, "file://")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		dir = cache + "/sameside/files"
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	key, err := database.SharedSecret(ctx, db, "files-url-hmac")
	if err != nil {
		return nil, err
	}
	signer := fileblob.NewURLSignerHMAC(&url.URL{Path: Path}, key)
	b, err := fileblob.OpenBucket(dir, &fileblob.Options{URLSigner: signer, CreateDir: true})
	if err != nil {
		return nil, fmt.Errorf("files: open %s: %w", dir, err)
	}
	return &Store{Bucket: b, signer: signer, log: log}, nil
}

// Close closes the bucket.
func (s *Store) Close() error { return s.Bucket.Close() }

// SignedURL returns a URL allowing method on key until expiry.
func (s *Store) SignedURL(ctx context.Context, key, method, contentType string, expiry time.Duration) (string, error) {
	return s.Bucket.SignedURL(ctx, key, &blob.SignedURLOptions{Method: method, ContentType: contentType, Expiry: expiry})
}

// Read reads a whole object, at most max bytes (domain.ErrFileTooLarge
// beyond; domain.ErrFileMissing when there is none).
func (s *Store) Read(ctx context.Context, key string, max int64) ([]byte, error) {
	r, err := s.Bucket.NewReader(ctx, key, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, domain.ErrFileMissing
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err == nil && int64(len(data)) > max {
		return nil, domain.ErrFileTooLarge
	}
	return data, err
}

// Write writes an object.
func (s *Store) Write(ctx context.Context, key, contentType string, data []byte) error {
	return s.Bucket.WriteAll(ctx, key, data, &blob.WriterOptions{ContentType: contentType})
}

// Delete deletes an object; a missing one is fine.
func (s *Store) Delete(ctx context.Context, key string) error {
	err := s.Bucket.Delete(ctx, key)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil
	}
	return err
}

// Handler serves the signed URLs of a local bucket: PUT writes the object
// (with the signed content type, at most that type's upload limit), GET
// reads it. Anything
// unsigned, expired, tampered with or for another method gets 403.
func (s *Store) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.signer == nil {
			http.NotFound(w, r)
			return
		}
		key, err := s.signer.KeyFromURL(r.Context(), r.URL)
		q := r.URL.Query()
		if err != nil || q.Get("method") != r.Method {
			httperr.Code(w, http.StatusForbidden, models.CodeForbidden, "this link is not valid (expired, altered or for another use)")
			return
		}
		switch r.Method {
		case http.MethodPut:
			if ct := q.Get("contentType"); ct != "" && r.Header.Get("Content-Type") != ct {
				httperr.Code(w, http.StatusBadRequest, models.CodeBadUserInput, "Content-Type must be "+ct)
				return
			}
			limit := models.MaxUploadBytes(q.Get("contentType"))
			if limit == 0 {
				limit = models.MaxPDFBytes
			}
			data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
			if err != nil {
				httperr.Code(w, http.StatusRequestEntityTooLarge, models.CodeBadUserInput, "the file is too large")
				return
			}
			if err := s.Write(r.Context(), key, q.Get("contentType"), data); err != nil {
				s.log.ErrorContext(r.Context(), "files: write", "err", err)
				httperr.Code(w, http.StatusInternalServerError, models.CodeInternal, "could not store the file")
				return
			}
			w.WriteHeader(http.StatusOK)
		case http.MethodGet:
			rd, err := s.Bucket.NewReader(r.Context(), key, nil)
			if err != nil {
				http.NotFound(w, r)
				return
			}
			defer rd.Close()
			ct := rd.ContentType()
			h := w.Header()
			h.Set("Content-Type", ct)
			h.Set("Cache-Control", "private, max-age=300")
			h.Set("X-Content-Type-Options", "nosniff")
			// Whatever a file holds, a browser that opens its link runs
			// nothing of it: no script, no form, no plugin, no origin.
			h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; sandbox")
			if ct != "image/jpeg" && ct != "image/png" {
				// Only the images the server re-encoded itself are shown
				// inline; anything else (a PDF that may hold HTML or
				// script after its header) is downloaded.
				h.Set("Content-Disposition", "attachment")
			}
			_, _ = io.Copy(w, rd)
		default:
			httperr.Refuse(w, http.StatusMethodNotAllowed, models.ReasonMethodNotAllowed, "use the method the link was signed for")
		}
	})
}
