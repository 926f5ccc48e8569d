package push

import (
	"net/http"
	"strconv"
	"time"

	"firebase.google.com/go/v4/errorutils"
	"firebase.google.com/go/v4/messaging"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// recorder collects outcomes, then saves them in one go.
type recorder struct {
	notificationID string

	sentIDs, sentNames   []string
	failedIDs, failCodes []string
	retryIDs, retryCodes []string
	retryAt              []string
	removeDevices        []string
}

func newRecorder(notificationID string) *recorder { return &recorder{notificationID: notificationID} }

func (r *recorder) empty() bool {
	return len(r.sentIDs)+len(r.failedIDs)+len(r.retryIDs)+len(r.removeDevices) == 0
}

func (r *recorder) sent(deviceID, messageID string) {
	r.sentIDs = append(r.sentIDs, deviceID)
	r.sentNames = append(r.sentNames, messageID)
}

func (r *recorder) fail(deviceID, code string) {
	r.failedIDs = append(r.failedIDs, deviceID)
	r.failCodes = append(r.failCodes, code)
}

// retry puts a delivery back for later, or gives up after MaxAttempts.
func (r *recorder) retry(c claimed, code string, retryAfter time.Duration, p *Pipeline) {
	attempt := c.Attempts + 1
	if attempt >= p.Config.MaxAttempts {
		r.fail(c.DeviceID, code)
		return
	}
	delay := max(p.backoff(attempt), retryAfter)
	r.retryIDs = append(r.retryIDs, c.DeviceID)
	r.retryCodes = append(r.retryCodes, code)
	r.retryAt = append(r.retryAt, p.Now().UTC().Add(delay).Format(time.RFC3339Nano))
}

// answer classifies one FCM answer. The SDK's messaging.Is* helpers look at
// the error as the SDK made it, so nothing wraps it before this.
func (r *recorder) answer(c claimed, resp *messaging.SendResponse, p *Pipeline) {
	if resp.Success {
		r.sent(c.DeviceID, resp.MessageID)
		return
	}
	err := resp.Error
	switch {
	case messaging.IsUnregistered(err):
		r.fail(c.DeviceID, "UNREGISTERED")
		r.removeDevices = append(r.removeDevices, c.DeviceID)
	case messaging.IsInvalidArgument(err):
		// Our payloads are schema-checked: INVALID_ARGUMENT means the token.
		r.fail(c.DeviceID, "INVALID_ARGUMENT")
		r.removeDevices = append(r.removeDevices, c.DeviceID)
	case messaging.IsSenderIDMismatch(err):
		r.fail(c.DeviceID, "SENDER_ID_MISMATCH")
		r.removeDevices = append(r.removeDevices, c.DeviceID)
	case messaging.IsQuotaExceeded(err):
		r.retry(c, "QUOTA_EXCEEDED", retryAfter(err), p)
	case messaging.IsUnavailable(err):
		r.retry(c, "UNAVAILABLE", retryAfter(err), p)
	case messaging.IsInternal(err):
		r.retry(c, "INTERNAL", retryAfter(err), p)
	case messaging.IsThirdPartyAuthError(err):
		r.fail(c.DeviceID, "THIRD_PARTY_AUTH_ERROR")
	case errorutils.HTTPResponse(err) == nil && (errorutils.IsDeadlineExceeded(err) || errorutils.IsUnknown(err)):
		// No answer at all (connection refused or dropped, a timeout):
		// owed again.
		r.retry(c, "SEND_FAILED", 0, p)
	default:
		p.Log.Warn("push: unexpected FCM answer", "err", err)
		r.fail(c.DeviceID, "UNKNOWN")
	}
}

// retryAfter reads FCM's Retry-After (seconds or an HTTP date).
func retryAfter(err error) time.Duration {
	resp := errorutils.HTTPResponse(err)
	if resp == nil {
		return 0
	}
	h := resp.Header.Get("Retry-After")
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return time.Until(t)
	}
	return 0
}

// save writes the batch's outcome in one statement: each delivery's new
// state, and the devices whose tokens are dead removed (deliveries keep no
// foreign key to their device).
//
// Each row is found by its whole key, one index probe per outcome, and
// updated by the row version it locked (its ctid). Joined on the outcomes
// alone the plan read all of the notification's deliveries for each
// batch; with the ids also as an ANY the generic plan, made while the
// table's statistics still described a few rows, read them once per
// outcome (330,000 rows for a batch of 160). The jobs' pool plans it for
// the table's current size (database.CustomPlans): a plan may still find
// one pass over a small table cheaper, never over a large one
// (TestOutcomeWriteReadsItsRowsOnly).
// The rows are locked in key order, as a deletion of the notification
// locks them (notifications_cascade): in any other order the two
// deadlocked (TestNotificationDeletedMidFanOut, 1 run in 20). A locked
// row's ctid stays its own until the statement ends: only this job's
// recorder writes the rows it claimed, and a row deleted meanwhile is not
// locked (nor written).
func (r *recorder) save(db *gorm.DB, p *Pipeline) error {
	n := len(r.sentIDs) + len(r.failedIDs) + len(r.retryIDs)
	ids := make([]string, 0, n)
	statuses := make([]string, 0, n)
	mids := make([]string, 0, n)  // "" but for SENT
	codes := make([]string, 0, n) // "" for SENT
	ats := make([]string, 0, n)   // "" but for PENDING
	add := func(id, status, mid, code, at string) {
		ids, statuses, mids, codes, ats = append(ids, id), append(statuses, status), append(mids, mid), append(codes, code), append(ats, at)
	}
	for i, id := range r.sentIDs {
		add(id, models.DeliverySent, r.sentNames[i], "", "")
	}
	for i, id := range r.failedIDs {
		add(id, models.DeliveryFailed, "", r.failCodes[i], "")
	}
	for i, id := range r.retryIDs {
		add(id, models.DeliveryPending, "", r.retryCodes[i], r.retryAt[i])
	}
	return db.Exec(`WITH v AS (
			SELECT * FROM unnest(CAST(@ids AS uuid[]), CAST(@statuses AS text[]), CAST(@mids AS text[]), CAST(@codes AS text[]), CAST(@ats AS text[]))
				AS v(id, status, mid, code, at) ORDER BY id),
		locked AS (
			SELECT l.row, v.* FROM v CROSS JOIN LATERAL (
				SELECT ctid AS row FROM notification_deliveries WHERE notification_id = @notification AND device_id = v.id FOR UPDATE) l),
		outcome AS (
			UPDATE notification_deliveries nd SET status = v.status,
				message_id = CASE WHEN v.status = 'SENT' THEN v.mid ELSE nd.message_id END,
				error_code = NULLIF(v.code, ''),
				next_attempt_at = CASE WHEN v.status = 'PENDING' THEN NULLIF(v.at, '')::timestamptz ELSE nd.next_attempt_at END,
				claimed_by = NULL, attempts = nd.attempts + 1, updated_at = @now
			FROM locked v WHERE nd.ctid = v.row)
		DELETE FROM devices WHERE id = ANY(CAST(@removed AS uuid[]))`,
		map[string]any{"now": p.Now().UTC(), "ids": models.Array[string](ids), "statuses": models.Array[string](statuses),
			"mids": models.Array[string](mids), "codes": models.Array[string](codes), "ats": models.Array[string](ats),
			"notification": r.notificationID, "removed": models.Array[string](r.removeDevices)}).Error
}
