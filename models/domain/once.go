package domain

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"unicode"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
)

// written names what a write made (its id, or ids), as once stores it for
// a retry.
type written struct {
	ID  string   `json:"id,omitempty"`
	IDs []string `json:"ids,omitempty"`
}

// once runs fn at most once per (viewer, operation, clientMutationID): a
// tablet on flaky wifi that retries gets the first result and writes nothing
// new. The claim row is inserted first in fn's transaction, so a concurrent
// duplicate waits on its unique key and then reads the committed result; a
// failed first attempt rolls its claim back and may be retried. The result
// is typed: what fn returns is stored as JSON and read back as the same
// type on a retry.
func once[R any](ctx context.Context, s *Service, v *models.Viewer, op, cmid string, fn func(tx *gorm.DB) (R, error)) (R, error) {
	return onceAbout(ctx, s, v, op, cmid, nil, fn)
}

// onceAbout is once for a write about students: it takes their rows' KEY
// SHARE locks first, before anything else in the transaction. That is the
// one lock order of writes about a child: the student row, then the rows
// of people (the claim below references the viewer's), then the rest.
// A family's deletion takes the same student rows FOR UPDATE first, so a
// write about that child waits for it, or it for the write, and neither
// holds what the other needs.
func onceAbout[R any](ctx context.Context, s *Service, v *models.Viewer, op, cmid string, students []string, fn func(tx *gorm.DB) (R, error)) (R, error) {
	var out R
	cmid = strings.TrimSpace(cmid)
	if cmid == "" || len(cmid) > models.MaxClientMutationID || strings.IndexFunc(cmid, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0 {
		return out, models.InvalidField("clientMutationId", "clientMutationId must be 1 to %d characters without spaces", models.MaxClientMutationID)
	}
	replay := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		replay = false
		if len(students) > 0 {
			if err := lockStudents(tx, students, "KEY SHARE"); err != nil {
				return err
			}
		}
		claim := models.ClientMutation{UserID: v.ID, Operation: op, ClientMutationID: cmid, Result: json.RawMessage("{}"), CreatedAt: s.now()}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&claim)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			replay = true
			return nil
		}
		var err error
		if out, err = fn(tx); err != nil {
			return err
		}
		if claim.Result, err = json.Marshal(out); err != nil {
			return err
		}
		return tx.Model(&claim).Select("Result").Updates(&claim).Error
	})
	if err != nil {
		return out, err
	}
	if replay {
		var prior models.ClientMutation
		err := s.DB.WithContext(ctx).Take(&prior, "user_id = ? AND operation = ? AND client_mutation_id = ?", v.ID, op, cmid).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return out, models.Errorf(models.CodeConflict, "a request with this clientMutationId is still in progress; retry")
		}
		if err != nil {
			return out, models.Internal(err)
		}
		if err := json.Unmarshal(prior.Result, &out); err != nil {
			return out, models.Internal(err)
		}
	}
	return out, nil
}

// lockStudents locks the students' rows with strength, in id order (so two
// transactions locking overlapping sets cannot deadlock on each other), and
// returns how many exist.
func lockStudents(tx *gorm.DB, ids []string, strength string) error {
	var n []string
	return tx.Model(&models.Student{}).Clauses(clause.Locking{Strength: strength}).Where("id IN ?", ids).Order("id").Pluck("id", &n).Error
}
