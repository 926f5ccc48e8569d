package domain

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/disintegration/imaging"
	"golang.org/x/image/draw"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// FileStore keeps upload bytes (server/files).
type FileStore interface {
	SignedURL(ctx context.Context, key, method, contentType string, expiry time.Duration) (string, error)
	Read(ctx context.Context, key string, max int64) ([]byte, error)
	Write(ctx context.Context, key, contentType string, data []byte) error
	Delete(ctx context.Context, key string) error
}

// Errors a FileStore's Read returns.
var (
	ErrFileMissing  = errors.New("files: no such object")
	ErrFileTooLarge = errors.New("files: object too large")
)

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Keys of an upload's objects: the bytes as the client sent them, and what
// the server keeps after checking them (images re-encoded) and a thumbnail.
func incomingKey(id string) string  { return "incoming/" + id }
func fileKey(id string) string      { return "files/" + id }
func thumbnailKey(id string) string { return "files/" + id + "-thumb" }

// CreateUpload starts an upload: a JPEG or PNG image (at most 15 MB) or a
// PDF (25 MB), with the hex SHA-256 of its bytes. The client PUTs the bytes
// to the signed URL, then calls completeUpload. Errors: BAD_USER_INPUT.
func (s *Service) CreateUpload(ctx context.Context, v *models.Viewer, in models.CreateUploadInput) (*models.CreateUploadPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if s.Files == nil {
		return nil, models.Internal(errors.New("domain: no file store configured"))
	}
	max := models.MaxUploadBytes(in.ContentType)
	switch {
	case models.UnsupportedImageType(in.ContentType):
		return nil, unsupportedImage("contentType")
	case max == 0:
		return nil, models.InvalidField("contentType", "send a JPEG or PNG image or a PDF")
	case in.Size < 1:
		return nil, models.InvalidField("size", "size is the file's length in bytes, at least 1")
	case int64(in.Size) > max:
		return nil, models.InvalidField("size", "a %s may be at most %d MB", in.ContentType, max>>20)
	case !sha256Hex.MatchString(strings.ToLower(in.Sha256)):
		return nil, models.InvalidField("sha256", "sha256 is the 64 hex digits of the bytes' SHA-256")
	}
	now := s.now()
	u := &models.Upload{UserID: v.ID, ContentType: in.ContentType, Size: int64(in.Size), Sha256: strings.ToLower(in.Sha256),
		State: models.UploadPending, ExpiresAt: now.Add(models.UploadTTL), CreatedAt: now}
	if err := s.DB.WithContext(ctx).Create(u).Error; err != nil {
		return nil, internal(err)
	}
	put, err := s.Files.SignedURL(ctx, incomingKey(u.ID), http.MethodPut, u.ContentType, models.UploadURLTTL)
	if err != nil {
		return nil, models.Internal(err)
	}
	return &models.CreateUploadPayload{Upload: u, UploadURL: put, UploadURLExpiresAt: now.Add(models.UploadURLTTL)}, nil
}

// CompleteUpload checks the bytes the client PUT: their size and checksum
// as declared, their type sniffed from the bytes as declared. Images are
// decoded and encoded again, which leaves their metadata (EXIF: the
// camera, the place) behind, and get a thumbnail. Completing a completed
// upload returns it. Errors: NOT_FOUND (not the viewer's), CONFLICT
// (expired, or no bytes yet), BAD_USER_INPUT (with extensions.field "file"
// for bytes that do not match).
func (s *Service) CompleteUpload(ctx context.Context, v *models.Viewer, in models.UploadIDInput) (*models.Upload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if !validID(in.ID) {
		return nil, models.NotFound("upload")
	}
	u, err := findOne[models.Upload](s.DB.WithContext(ctx).Where("id = ? AND user_id = ?", in.ID, v.ID), "upload")
	if err != nil {
		return nil, err
	}
	if u.State == models.UploadReady {
		return u, nil
	}
	if !u.ExpiresAt.After(s.now()) {
		return nil, models.Errorf(models.CodeConflict, "this upload has expired; start a new one")
	}
	data, err := s.Files.Read(ctx, incomingKey(u.ID), u.Size)
	switch {
	case errors.Is(err, ErrFileMissing):
		return nil, models.Errorf(models.CodeConflict, "no bytes have arrived for this upload yet")
	case errors.Is(err, ErrFileTooLarge):
		return nil, s.rejectUpload(ctx, u, "the file is larger than declared")
	case err != nil:
		return nil, models.Internal(err)
	}
	if int64(len(data)) != u.Size {
		return nil, s.rejectUpload(ctx, u, "the file's size is not the size declared")
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != u.Sha256 {
		return nil, s.rejectUpload(ctx, u, "the file's checksum does not match: it was damaged on the way; upload it again")
	}
	if isoMediaImage(data) {
		_ = s.Files.Delete(ctx, incomingKey(u.ID))
		return nil, unsupportedImage("file")
	}
	if sniffed := http.DetectContentType(data); sniffed != u.ContentType {
		return nil, s.rejectUpload(ctx, u, "the file is not a "+u.ContentType)
	}
	kept := data
	if strings.HasPrefix(u.ContentType, "image/") {
		img, err := s.decodeImage(ctx, u, data)
		if err != nil {
			return nil, err
		}
		if kept, err = encodeImage(img, u.ContentType); err != nil {
			return nil, models.Internal(err)
		}
		thumb, err := encodeImage(thumbnail(img), "image/jpeg")
		if err != nil {
			return nil, models.Internal(err)
		}
		if err := s.Files.Write(ctx, thumbnailKey(u.ID), "image/jpeg", thumb); err != nil {
			return nil, models.Internal(err)
		}
		w, h := int32(img.Bounds().Dx()), int32(img.Bounds().Dy())
		u.Width, u.Height = &w, &h
	}
	if err := s.Files.Write(ctx, fileKey(u.ID), u.ContentType, kept); err != nil {
		return nil, models.Internal(err)
	}
	_ = s.Files.Delete(ctx, incomingKey(u.ID))
	u.State = models.UploadReady
	err = s.DB.WithContext(ctx).Model(u).Updates(map[string]any{"state": u.State, "width": u.Width, "height": u.Height}).Error
	return u, internal(err)
}

// imageSlots bounds how many images this process decodes at once: each may
// take up to MaxImagePixels × 4 bytes twice over (decoded, then turned
// upright), so a burst of uploads cannot exhaust memory.
var imageSlots = make(chan struct{}, 2)

// decodeImage decodes an uploaded image upright: its header is read first
// and an image over MaxImagePixels refused before any pixel is decoded;
// the EXIF orientation is applied (phones store portrait photos sideways
// and say so in EXIF), and re-encoding afterwards leaves all metadata
// behind.
func (s *Service) decodeImage(ctx context.Context, u *models.Upload, data []byte) (image.Image, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, s.rejectUpload(ctx, u, "the image cannot be read")
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > models.MaxImagePixels || cfg.Width <= 0 || cfg.Height <= 0 {
		_ = s.Files.Delete(ctx, incomingKey(u.ID))
		return nil, &models.Error{Code: models.CodeBadUserInput, Field: "file", Reason: models.ReasonImageTooLarge,
			Message: fmt.Sprintf("the image is %d×%d pixels; at most %d megapixels", cfg.Width, cfg.Height, models.MaxImagePixels/1_000_000)}
	}
	select {
	case imageSlots <- struct{}{}:
		defer func() { <-imageSlots }()
	case <-ctx.Done():
		return nil, models.Internal(ctx.Err())
	}
	img, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
	if err != nil {
		return nil, s.rejectUpload(ctx, u, "the image cannot be read")
	}
	return img, nil
}

// unsupportedImage refuses HEIC, WebP and the like: decoding HEIC needs a C
// library with a long record of memory-safety flaws, and both iOS and
// Android hand the app a JPEG on request, so the app converts first.
func unsupportedImage(field string) error {
	return &models.Error{Code: models.CodeBadUserInput, Field: field, Reason: models.ReasonUnsupportedImageFormat,
		Message: "this image format is not supported: send the photo as JPEG or PNG"}
}

// isoMediaImage reports HEIC/HEIF/AVIF bytes (an ISO media "ftyp" box),
// which content sniffing does not know.
func isoMediaImage(data []byte) bool {
	if len(data) < 12 || string(data[4:8]) != "ftyp" {
		return false
	}
	switch string(data[8:12]) {
	case "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif", "avis":
		return true
	}
	return false
}

// rejectUpload drops bytes that failed a check; the client may PUT again
// until the upload expires.
func (s *Service) rejectUpload(ctx context.Context, u *models.Upload, why string) error {
	_ = s.Files.Delete(ctx, incomingKey(u.ID))
	return models.InvalidField("file", "%s", why)
}

// UploadURLs returns short-lived signed download URLs for an upload's file
// and thumbnail (none for a thumbnail of a PDF). Callers check the viewer
// may see what the upload is attached to.
func (s *Service) UploadURLs(ctx context.Context, u *models.Upload) (file string, thumb *string, err error) {
	if u.State != models.UploadReady {
		return "", nil, nil
	}
	if file, err = s.Files.SignedURL(ctx, fileKey(u.ID), http.MethodGet, "", 10*time.Minute); err != nil {
		return "", nil, models.Internal(err)
	}
	if strings.HasPrefix(u.ContentType, "image/") {
		t, err := s.Files.SignedURL(ctx, thumbnailKey(u.ID), http.MethodGet, "", 10*time.Minute)
		if err != nil {
			return "", nil, models.Internal(err)
		}
		thumb = &t
	}
	return file, thumb, nil
}

func encodeImage(img image.Image, contentType string) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	if contentType == "image/png" {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 88})
	}
	return buf.Bytes(), err
}

// thumbnail scales img so that its longer side is ThumbnailSize (smaller
// images stay as they are).
func thumbnail(img image.Image) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= models.ThumbnailSize && h <= models.ThumbnailSize {
		return img
	}
	if w >= h {
		w, h = models.ThumbnailSize, max(1, h*models.ThumbnailSize/w)
	} else {
		w, h = max(1, w*models.ThumbnailSize/h), models.ThumbnailSize
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	return dst
}

// attach attaches the viewer's completed, unattached, unexpired uploads to
// an item, in the order given, inside the item's transaction. Errors:
// BAD_USER_INPUT (attachmentIds: too many, repeated, not completed or
// expired), NOT_FOUND (not the viewer's).
func (s *Service) attach(tx *gorm.DB, v *models.Viewer, itemType, itemID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if len(ids) > models.MaxAttachments {
		return models.InvalidField("attachmentIds", "at most %d attachments", models.MaxAttachments)
	}
	seen := map[string]bool{}
	now := s.now()
	for i, id := range ids {
		if seen[id] || !validID(id) {
			return models.InvalidField("attachmentIds", "each attachment once, by its upload id")
		}
		seen[id] = true
		u, err := findOne[models.Upload](tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ? AND user_id = ?", id, v.ID), "upload")
		if err != nil {
			return err
		}
		switch {
		case u.ItemID != nil:
			return models.InvalidField("attachmentIds", "upload %s is attached already", id)
		case u.State != models.UploadReady:
			return models.InvalidField("attachmentIds", "upload %s is not completed (completeUpload)", id)
		case !u.ExpiresAt.After(now):
			return models.InvalidField("attachmentIds", "upload %s has expired", id)
		}
		pos := int16(i)
		if err := tx.Model(u).Updates(map[string]any{"attached_at": now, "item_type": itemType, "item_id": itemID, "position": pos}).Error; err != nil {
			return err
		}
	}
	return nil
}

// deleteFiles deletes everything stored for an upload: the incoming bytes,
// the file and its thumbnail (missing ones are fine).
func (s *Service) deleteFiles(ctx context.Context, id string) error {
	for _, key := range []string{incomingKey(id), fileKey(id), thumbnailKey(id)} {
		if err := s.Files.Delete(ctx, key); err != nil {
			return models.Internal(err)
		}
	}
	return nil
}

// DeleteExpiredUploads deletes uploads nobody attached before they expired,
// their files first, at most 500 a call; it returns how many went.
func (s *Service) DeleteExpiredUploads(ctx context.Context) (int, error) {
	var expired []models.Upload
	if err := s.DB.WithContext(ctx).Where("attached_at IS NULL AND expires_at <= ?", s.now()).Order("expires_at").Limit(500).
		Find(&expired).Error; err != nil {
		return 0, internal(err)
	}
	n := 0
	for _, u := range expired {
		if err := s.deleteFiles(ctx, u.ID); err != nil {
			return n, err
		}
		// Attached meanwhile? Then it stays (its files are gone only if
		// it was attached after expiring, which attach refuses).
		res := s.DB.WithContext(ctx).Where("id = ? AND attached_at IS NULL", u.ID).Delete(&models.Upload{})
		if res.Error != nil {
			return n, internal(res.Error)
		}
		n += int(res.RowsAffected)
	}
	return n, nil
}
