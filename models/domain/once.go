package domain

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/sweep"
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
	out, _, err := onceRun(ctx, s, v, op, cmid, students, nil, fn)
	return out, err
}

// onceKnown is onceAbout for a write whose result is known before it runs
// (its ids chosen up front): the claim row is written with that result in
// one statement, instead of written empty and updated at the end. It also
// says whether fn ran now (fresh) or result is a first request's, read back
// for a retry.
func onceKnown[R any](ctx context.Context, s *Service, v *models.Viewer, op, cmid string, students []string, result R, fn func(tx *gorm.DB) error) (out R, fresh bool, err error) {
	return onceRun(ctx, s, v, op, cmid, students, &result, func(tx *gorm.DB) (R, error) { return result, fn(tx) })
}

// onceRun is once's one implementation; known, when not nil, is the result
// to store with the claim.
func onceRun[R any](ctx context.Context, s *Service, v *models.Viewer, op, cmid string, students []string, known *R, fn func(tx *gorm.DB) (R, error)) (R, bool, error) {
	var out R
	cmid, err := cleanClientMutationID(cmid)
	if err != nil {
		return out, false, err
	}
	result := json.RawMessage("{}")
	if known != nil {
		b, err := json.Marshal(*known)
		if err != nil {
			return out, false, models.Internal(err)
		}
		result = b
	}
	replay := false
	err = s.tx(ctx, func(tx *gorm.DB) error {
		replay = false
		// The students' locks, then the claim, in one statement.
		c := newClaim(s, v, op, cmid, students, result)
		var made int64
		if err := tx.Raw(`WITH `+c.SQL+` SELECT count(*) FROM claim`, c.Args).Scan(&made).Error; err != nil {
			return err
		}
		if made == 0 {
			replay = true
			return nil
		}
		claim := models.ClientMutation{UserID: v.ID, Operation: op, ClientMutationID: cmid}
		var err error
		if out, err = fn(tx); err != nil {
			return err
		}
		if known != nil {
			return nil
		}
		if claim.Result, err = json.Marshal(out); err != nil {
			return err
		}
		return tx.Model(&claim).Select("Result").Updates(&claim).Error
	})
	if err != nil {
		return out, false, err
	}
	if !replay {
		return out, true, nil
	}
	out, err = priorResult[R](ctx, s, v, op, cmid)
	return out, false, err
}

// cleanClientMutationID is cmid trimmed, or BAD_USER_INPUT.
func cleanClientMutationID(cmid string) (string, error) {
	cmid = strings.TrimSpace(cmid)
	if cmid == "" || len(cmid) > models.MaxClientMutationID || strings.IndexFunc(cmid, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0 {
		return "", models.InvalidField("clientMutationId", "clientMutationId must be 1 to %d characters without spaces", models.MaxClientMutationID)
	}
	return cmid, nil
}

// priorResult is the result the first request with cmid stored.
func priorResult[R any](ctx context.Context, s *Service, v *models.Viewer, op, cmid string) (R, error) {
	var out R
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
	return out, nil
}

// claimCTE is a retry record's claim as CTEs of a statement: SQL defines
// claim_s (the students' KEY SHARE locks, in id order, as lockStudents
// takes them) and claim (the claim's row, made from the count of the
// locked rows so that every lock is taken first; RETURNING a row when
// this request made the claim), with their named arguments Args. A
// statement that writes more reads claim before it writes anything else,
// and writes nothing unless claim returned a row: the locks come in the
// one order onceAbout takes them, the students, then the claim.
type claimCTE struct {
	SQL  string
	Args map[string]any
}

// newClaim is the claim of (v, op, cmid) with result stored, about
// students.
func newClaim(s *Service, v *models.Viewer, op, cmid string, students []string, result json.RawMessage) claimCTE {
	return claimCTE{
		SQL: claimSQL("true"),
		Args: map[string]any{"claim_students": models.Array[string](students), "claim_user": v.ID, "claim_op": op, "claim_id": cmid,
			"claim_result": string(result), "claim_at": s.now()},
	}
}

func claimSQL(when string) string {
	return `claim_s AS (SELECT id FROM students WHERE id = ANY(CAST(@claim_students AS uuid[])) ORDER BY id FOR KEY SHARE),
		claim AS (
			INSERT INTO client_mutations (user_id, operation, client_mutation_id, result, created_at)
			SELECT @claim_user, @claim_op, @claim_id, CAST(@claim_result AS jsonb), @claim_at FROM (SELECT count(*) FROM claim_s) AS locked
			WHERE ` + when + `
			ON CONFLICT DO NOTHING RETURNING 1 AS claimed)`
}

// only is the claim made only when when (a boolean SQL expression of the
// statement, over CTEs defined before the claim's) holds.
func (c claimCTE) only(when string) claimCTE {
	c.SQL = claimSQL(when)
	return c
}

// onceInStatement is onceKnown with the claim written by fn's first
// statement (one round trip less): fn gets the claim's CTEs and says
// whether its statement made the claim; when it did not, fn has written
// nothing and the first request's result is read back. alone says that
// the statement is fn's only write: it runs on no transaction of its own
// (Service.alone).
func onceInStatement[R any](ctx context.Context, s *Service, v *models.Viewer, op, cmid string, students []string, result R, alone bool, fn func(tx *gorm.DB, claim claimCTE) (claimed bool, err error)) (out R, fresh bool, err error) {
	if cmid, err = cleanClientMutationID(cmid); err != nil {
		return out, false, err
	}
	b, err := json.Marshal(result)
	if err != nil {
		return out, false, models.Internal(err)
	}
	claim := newClaim(s, v, op, cmid, students, b)
	claimed := false
	err = s.write(ctx, !alone, func(tx *gorm.DB) error {
		var err error
		claimed, err = fn(tx, claim)
		return err
	})
	if err != nil {
		return out, false, err
	}
	if claimed {
		return result, true, nil
	}
	out, err = priorResult[R](ctx, s, v, op, cmid)
	return out, false, err
}

// lockStudents locks the students' rows with strength, in id order (so two
// transactions locking overlapping sets cannot deadlock on each other), and
// returns how many exist.
func lockStudents(tx *gorm.DB, ids []string, strength string) error {
	var n []string
	return tx.Model(&models.Student{}).Clauses(clause.Locking{Strength: strength}).Where("id IN ?", ids).Order("id").Pluck("id", &n).Error
}

// RetryWindow is how long a clientMutationId is remembered: a retry
// within it answers the first result and writes nothing; after it, the
// same id is a new mutation, so the app must not retry a write older than
// that (a tablet offline over a school holiday is back well within it).
const RetryWindow = 30 * 24 * time.Hour

// ForgetRetriesChore names the daily deletion of claims older than
// RetryWindow (ForgetOldRetries).
const ForgetRetriesChore = "client_mutations_expiry"

// ForgetRetriesEvery is how often it runs.
const ForgetRetriesEvery = 24 * time.Hour

// forgetBatch is how many claims one statement deletes (each its own
// commit).
const forgetBatch = 5000

// ForgetOldRetries deletes the claims of mutations made more than
// RetryWindow before now (client_mutations_created_at_idx finds them) and
// says how many.
func (s *Service) ForgetOldRetries(ctx context.Context, now time.Time) (int64, error) {
	n, err := sweep.Delete(ctx, s.DB, "client_mutations", forgetBatch,
		`SELECT ctid FROM client_mutations WHERE created_at < ? ORDER BY created_at`, now.Add(-RetryWindow))
	if err != nil {
		return n, models.Internal(err)
	}
	return n, nil
}
