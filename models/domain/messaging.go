package domain

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// StartConversation starts a conversation with a first message. About a
// student: the starter must be one of its unrestricted guardians, teachers
// or school admins, and picks participants among them (households are not
// forced into one thread). General (no student): with the staff of one of
// the starter's schools. Errors: BAD_USER_INPUT, NOT_FOUND (student, school
// or a participant not visible or not eligible).
func (s *Service) StartConversation(ctx context.Context, v *models.Viewer, in models.StartConversationInput) (*models.ConversationPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	subject, err := models.CleanText("subject", in.Subject, models.MaxSubject, true)
	if err != nil {
		return nil, err
	}
	body, err := models.CleanBody("body", in.Body, models.MaxMessageBody)
	if err != nil {
		return nil, err
	}
	ids := dedupe(in.ParticipantIDs)
	if len(ids) == 0 || len(ids) > models.MaxParticipants {
		return nil, models.InvalidField("participantIds", "participantIds must name 1 to %d people", models.MaxParticipants)
	}
	var schoolID string
	var eligible *gorm.DB
	var studentID *string
	if in.StudentID != nil {
		st, err := s.Student(ctx, v, *in.StudentID)
		if err != nil {
			return nil, err
		}
		schoolID, studentID = st.SchoolID, &st.ID
		eligible = policy.EligibleForStudent(s.DB.WithContext(ctx), st.ID)
	} else {
		if in.SchoolID == nil || !validID(*in.SchoolID) || !policy.IsMember(v, *in.SchoolID) {
			return nil, models.NotFound("school")
		}
		schoolID = *in.SchoolID
		eligible = policy.EligibleStaff(s.DB.WithContext(ctx), schoolID)
	}
	var allowed []string
	if err := eligible.Scan(&allowed).Error; err != nil {
		return nil, models.Internal(err)
	}
	ok := map[string]bool{}
	for _, u := range allowed {
		ok[u] = true
	}
	if studentID != nil && !ok[v.ID] {
		return nil, models.Errorf(models.CodeForbidden, "only the student's guardians and staff talk about the student")
	}
	for _, u := range ids {
		if !ok[u] || u == v.ID {
			return nil, &models.Error{Code: models.CodeNotFound, Field: "participantIds", Message: "a participant was not found among the people you can include"}
		}
	}
	var about []string
	if studentID != nil {
		about = []string{*studentID}
	}
	res, err := onceAbout(ctx, s, v, "startConversation", in.ClientMutationID, about, func(tx *gorm.DB) (*written, error) {
		now := s.now()
		c := &models.Conversation{SchoolID: schoolID, StudentID: studentID, Subject: subject, CreatedByID: v.ID, LastMessageAt: now, CreatedAt: now}
		if err := tx.Create(c).Error; err != nil {
			return nil, err
		}
		ps := []models.ConversationParticipant{{ConversationID: c.ID, UserID: v.ID, JoinedAt: now}}
		for _, u := range ids {
			ps = append(ps, models.ConversationParticipant{ConversationID: c.ID, UserID: u, JoinedAt: now})
		}
		if err := tx.Create(&ps).Error; err != nil {
			return nil, err
		}
		if _, _, err := s.send(ctx, tx, v, c, &models.Message{ID: uuid.NewString(), Body: body}, nil, false, nil); err != nil {
			return nil, err
		}
		return &written{ID: c.ID}, nil
	})
	if err != nil {
		return nil, err
	}
	c, err := loadOne[models.Conversation](ctx, s.DB, res.ID)
	if err != nil {
		return nil, err
	}
	s.rememberConversation(c)
	after, err := s.ExpectedReplyAfter(ctx, c.ID, v.ID, s.now())
	if err != nil {
		return nil, err
	}
	return &models.ConversationPayload{ClientMutationID: in.ClientMutationID, Conversation: c, ExpectedReplyAfter: after}, nil
}

// SendMessage adds the viewer's message to a conversation they take part
// in; the others are notified (unless they muted it). Urgent is for school
// admins. Errors: BAD_USER_INPUT, NOT_FOUND, FORBIDDEN (urgent from others).
func (s *Service) SendMessage(ctx context.Context, v *models.Viewer, in models.SendMessageInput) (*models.SendMessagePayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	body, err := models.CleanBody("body", in.Body, models.MaxMessageBody)
	if err != nil {
		return nil, err
	}
	urgent := in.Urgent != nil && *in.Urgent
	// A conversation this instance has seen is not read again: what the
	// message needs of it never changes (its school, student and subject),
	// and whether the viewer may still see it is checked by the message's
	// own statement (check), which writes nothing otherwise. An urgent
	// message is checked first, as before: its sender must be the
	// school's admin, and whoever may not see the conversation learns
	// nothing of its school.
	c, known := s.conversationFacts(in.ConversationID)
	alone := len(in.AttachmentIDs) == 0
	// A viewer not read again for this request (models.AccessStamp) is
	// checked by the message's statement too, which writes nothing if
	// the viewer's access changed; anything else needs it confirmed first.
	stamp := models.AccessStampFrom(ctx, v)
	if stamp != nil && !(known && !urgent && alone) {
		return nil, models.ErrUnconfirmed
	}
	// Known and not urgent: the message's statement checks that the
	// viewer may still see the conversation.
	check := known && !urgent
	if !check {
		if c, err = s.Conversation(ctx, v, in.ConversationID); err != nil {
			return nil, err
		}
	}
	if urgent && !policy.IsAdmin(v, c.SchoolID) {
		return nil, models.Errorf(models.CodeForbidden, "only school admins send urgent messages")
	}
	var about []string
	if c.StudentID != nil {
		about = []string{*c.StudentID}
	}
	// The message's id is chosen here, so the retry record is written
	// once with it, and the answer is the message as written rather than
	// read back.
	m := &models.Message{ID: uuid.NewString(), Body: body, Urgent: urgent}
	// When to expect a reply comes with the message's statement (the
	// other participants' office hours); a retry reads it again.
	// The retry record is claimed by the message's own statement. Without
	// attachments that statement is the whole write (the message, its
	// notice and push job, its translation's place in the queue): it is
	// committed by itself, with no BEGIN and COMMIT around it.
	var after *time.Time
	res, fresh, err := onceInStatement(ctx, s, v, "sendMessage", in.ClientMutationID, about, written{ID: m.ID}, alone, func(tx *gorm.DB, claim claimCTE) (bool, error) {
		var claimed bool
		var err error
		if after, claimed, err = s.send(ctx, tx, v, c, m, &claim, check, stamp); err != nil || !claimed {
			return claimed, err
		}
		return true, s.attach(tx, v, models.ItemMessage, m.ID, in.AttachmentIDs)
	})
	if err != nil {
		return nil, err
	}
	if !fresh { // a retry: the first request's message
		if m, err = loadOne[models.Message](ctx, s.DB, res.ID); err != nil {
			return nil, err
		}
		if after, err = s.ExpectedReplyAfter(ctx, m.ConversationID, v.ID, s.now()); err != nil {
			return nil, err
		}
	}
	return &models.SendMessagePayload{ClientMutationID: in.ClientMutationID, Message: m, ExpectedReplyAfter: after}, nil
}

// send appends m (its id, body and urgency set) to c in tx, filling in the
// rest: the conversation's row lock hands out the next sequence number, the
// sender has read up to it, and the other participants who did not mute it
// and may still take part are notified; it says when a reply may be
// expected (ExpectedReplyAfter). The sequence, the row, the sender's read
// mark, the notice to the others and its push job, and the other
// participants, each with whether they may still take part and their
// office hours, are one statement: a message's every round trip is paid
// while the conversation's row stays locked, and a statement needs no
// transaction of its own. With claim, the statement also claims the request's
// retry record first and writes nothing unless it made the claim (claimed
// says whether it did); without, claimed is true. With check, the
// statement first checks that the viewer may still see the conversation
// (policy.ConversationsSQL) and writes nothing, not even the claim, when
// they may not: NOT_FOUND. With stamp
// too (the viewer not read again for this request), the check includes
// the viewer's access stamp: when it no longer holds, nothing is written
// and the error is models.ErrUnconfirmed; when it does, the statement
// confirms it.
func (s *Service) send(ctx context.Context, tx *gorm.DB, v *models.Viewer, c *models.Conversation, m *models.Message, claim *claimCTE, check bool, stamp *models.AccessStamp) (after *time.Time, claimed bool, err error) {
	if s.Notify == nil {
		return nil, false, models.Internal(errNoNotifier)
	}
	// Microseconds, PostgreSQL's precision: the message answered is the
	// message stored.
	now := s.now().Truncate(time.Microsecond)
	m.ConversationID, m.SenderID, m.CreatedAt = c.ID, v.ID, now
	type sendRow struct {
		Claimed, Stamped, Visible bool
		Seq                       *int64
		UserID                    *string
		Office                    *string // models.OfficeHoursJSONSQL
		TimeZone                  *string
	}
	var rows []sendRow
	// With translation on, the message is queued for it in the same
	// statement.
	queue := ""
	if s.Translate != nil {
		queue = `q AS (` + s.Translate.QueueSQL("message", "SELECT id FROM m") + `),`
	}
	// The notice goes to the other participants who did not mute the
	// conversation and may still take part (someone made a restricted
	// guardian since is told nothing); its data carries the sequence number
	// the statement hands out.
	school := c.SchoolID
	notice, args, _, err := s.Notify.NoticeSQL(models.Notice{
		Type: models.NoticeNewMessage, Category: models.CategoryNewMessage, SchoolID: &school, Urgent: m.Urgent,
		Params:      map[string]string{"sender": v.DisplayName, "subject": c.Subject},
		Data:        map[string]string{"conversationId": c.ID, "messageId": m.ID},
		DeepLink:    "sameside://conversations/" + c.ID,
		CollapseKey: "conversation-" + c.ID, ThreadID: "conversation-" + c.ID,
	}, `SELECT o.user_id FROM others o, m WHERE NOT o.muted AND o.eligible`, `jsonb_build_object('seq', CAST((SELECT seq FROM m) AS text))`)
	if err != nil {
		return nil, false, err
	}
	if err := addArgs(args, map[string]any{"now": now, "conversation": c.ID, "id": m.ID, "sender": v.ID, "body": m.Body, "urgent": m.Urgent, "student": c.StudentID}); err != nil {
		return nil, false, models.Internal(err)
	}
	// The check, when there is one, comes first; the claim, when there is
	// one, is read (its row written) before the conversation's row is
	// locked: the students, the claim, then the rest.
	checkSQL, visible, stamped := ``, `true`, `true`
	if check {
		sees, p := policy.ConversationVisibleSQL(v)
		if err := addArgs(args, p); err != nil {
			return nil, false, models.Internal(err)
		}
		if stamp != nil {
			// The stamp first: a viewer whose access changed is not
			// checked against the conversation at all.
			checkSQL, stamped = `st AS MATERIALIZED (SELECT COALESCE(`+accessStampSQL+`, false) AS ok),`, `(SELECT ok FROM st)`
			sees = stamped + ` AND ` + sees
			args["stamp_uid"], args["stamp_version"] = stamp.UserID, stamp.Version
		}
		checkSQL, visible = checkSQL+`
		vis AS MATERIALIZED (SELECT `+sees+` AS ok),`, `(SELECT ok FROM vis)`
	} else if stamp != nil {
		return nil, false, models.ErrUnconfirmed
	}
	claimSQL, made := ``, visible
	if claim != nil {
		claimSQL, made = claim.only(visible).SQL+`,`, `EXISTS (SELECT FROM claim)`
		if err := addArgs(args, claim.Args); err != nil {
			return nil, false, models.Internal(err)
		}
	}
	// Bound and scanned without GORM (bindNamed, runNative): building this
	// statement through GORM's named parameters, then scanning it, was
	// most of sendMessage's own CPU in the server.
	query, vars, err := bindNamed(`WITH `+checkSQL+claimSQL+`
		k AS MATERIALIZED (SELECT `+made+` AS claimed, `+stamped+` AS stamped, `+visible+` AS visible),
		c AS (
			UPDATE conversations SET last_seq = last_seq + 1, last_message_at = @now
			WHERE id = @conversation AND (SELECT claimed FROM k) RETURNING last_seq),
		m AS (
			INSERT INTO messages (id, conversation_id, seq, sender_id, body, urgent, created_at)
			SELECT @id, @conversation, c.last_seq, @sender, @body, @urgent, @now FROM c RETURNING id, seq),
		`+queue+`
		r AS (
			UPDATE conversation_participants p SET last_read_seq = GREATEST(p.last_read_seq, m.seq) FROM m
			WHERE p.conversation_id = @conversation AND p.user_id = @sender),
		others AS (
			SELECT p.user_id, p.muted,
				CAST(@student AS uuid) IS NULL OR p.user_id IN (`+policy.EligibleForStudentSQL+`) AS eligible
			FROM conversation_participants p WHERE p.conversation_id = @conversation AND p.user_id <> @sender),
		`+notice+`
		SELECT k.claimed, k.stamped, k.visible, m.seq, o.user_id,
			`+models.OfficeHoursJSONSQL("o.user_id")+` AS office,
			(SELECT u.time_zone FROM users u WHERE u.id = o.user_id) AS time_zone
		FROM k LEFT JOIN m ON true LEFT JOIN others o ON m.seq IS NOT NULL
		ORDER BY o.user_id`, args, nil)
	if err != nil {
		return nil, false, models.Internal(err)
	}
	var row sendRow
	if err := s.native(ctx, "send_message", tx, query, vars, []any{&row.Claimed, &row.Stamped, &row.Visible, &row.Seq, &row.UserID, &row.Office, &row.TimeZone}, func() error {
		rows = append(rows, row)
		row = sendRow{}
		return nil
	}); err != nil {
		return nil, false, err
	}
	if len(rows) > 0 && !rows[0].Stamped {
		return nil, false, models.ErrUnconfirmed
	}
	if stamp != nil && len(rows) > 0 {
		stamp.Confirmed()
	}
	if len(rows) > 0 && !rows[0].Visible {
		return nil, false, models.NotFound("conversation")
	}
	if len(rows) == 0 || !rows[0].Claimed {
		return nil, false, nil // a retry: the first request wrote the message
	}
	if rows[0].Seq == nil {
		return nil, true, models.NotFound("conversation") // deleted meanwhile
	}
	m.Seq = *rows[0].Seq
	if s.Translate != nil {
		s.Translate.QueuedTx(tx)
	}
	var everyone []string
	hours, zones := map[string][]models.OfficeHours{}, map[string]string{}
	for _, p := range rows {
		if p.UserID == nil {
			continue
		}
		oh, err := models.ParseOfficeHoursJSON(*p.UserID, p.Office)
		if err != nil {
			return nil, true, err
		}
		if len(oh) > 0 { // those without office hours may answer any time
			hours[*p.UserID], zones[*p.UserID] = oh, *p.TimeZone
		}
		everyone = append(everyone, *p.UserID)
	}
	// Live events: the conversation's subscribers, and each participant
	// who may still see it (muted or not: muting silences pushes only).
	events := []models.Event{{Topic: "conversation:" + c.ID, Type: models.EventNewMessage, ConversationID: c.ID, MessageID: m.ID}}
	for _, u := range everyone {
		events = append(events, models.Event{Topic: "user:" + u, Type: models.EventNewMessage, ConversationID: c.ID, MessageID: m.ID})
	}
	if err := s.publish(tx, events...); err != nil {
		return nil, true, err
	}
	return replyAfter(hours, zones, now), true, nil
}

// Conversation returns a conversation the viewer takes part in and may
// still see, or NOT_FOUND.
func (s *Service) Conversation(ctx context.Context, v *models.Viewer, id string) (*models.Conversation, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, models.NotFound("conversation")
	}
	c, err := visibleConversation(ctx, s.DB, v, id)
	if err == nil {
		s.rememberConversation(c)
	}
	return c, err
}

func visibleConversation(ctx context.Context, db *gorm.DB, v *models.Viewer, id string) (*models.Conversation, error) {
	return findOne[models.Conversation](db.WithContext(ctx).Scopes(policy.Conversations(v)).Where("conversations.id = ?", id), "conversation")
}

// addArgs adds more named parameters to args: a name given twice is a
// mistake in the statement's parts, not a value to overwrite.
func addArgs(args, more map[string]any) error {
	for name, value := range more {
		if _, taken := args[name]; taken {
			return fmt.Errorf("domain: the parameter @%s is named twice", name)
		}
		args[name] = value
	}
	return nil
}

// conversationFacts returns what never changes about conversation id (its
// id, school, student and subject) when this instance has read or made it
// before, and whether it has. It says nothing about who may see it.
func (s *Service) conversationFacts(id string) (*models.Conversation, bool) {
	if s.facts == nil {
		return nil, false
	}
	f, ok := s.facts.Get(id)
	if !ok {
		return nil, false
	}
	return &models.Conversation{ID: id, SchoolID: f.school, StudentID: f.student, Subject: f.subject}, true
}

// rememberConversation keeps c's facts (conversationFacts).
func (s *Service) rememberConversation(c *models.Conversation) {
	if s.facts != nil {
		s.facts.Add(c.ID, conversationFact{school: c.SchoolID, student: c.StudentID, subject: c.Subject})
	}
}

// conversationFact is what never changes about a conversation.
type conversationFact struct {
	school  string
	student *string
	subject string
}

// rememberedConversations is how many conversations' facts an instance
// keeps (the most recently used).
const rememberedConversations = 10_000

// MarkConversationRead marks everything in the conversation read for the
// viewer, up to its latest message at this moment.
func (s *Service) MarkConversationRead(ctx context.Context, v *models.Viewer, in models.ConversationIDInput) (*models.Conversation, error) {
	c, err := s.Conversation(ctx, v, in.ConversationID)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE conversation_participants SET last_read_seq = GREATEST(last_read_seq, (SELECT last_seq FROM conversations WHERE id = ?))
			WHERE conversation_id = ? AND user_id = ?`, c.ID, c.ID, v.ID).Error; err != nil {
			return err
		}
		if err := s.opened(tx, v.ID, "conversationId", c.ID); err != nil {
			return err
		}
		return s.publish(tx, models.Event{Topic: "user:" + v.ID, Type: models.EventUnreadChanged, ConversationID: c.ID})
	})
	return c, err
}

// MuteConversation turns the viewer's pushes for a conversation off or on.
func (s *Service) MuteConversation(ctx context.Context, v *models.Viewer, in models.MuteConversationInput) (*models.Conversation, error) {
	c, err := s.Conversation(ctx, v, in.ConversationID)
	if err != nil {
		return nil, err
	}
	err = s.DB.WithContext(ctx).Model(&models.ConversationParticipant{}).Where("conversation_id = ? AND user_id = ?", c.ID, v.ID).
		Update("muted", in.Muted).Error
	return c, internal(err)
}

// UnreadCount is the viewer's unread messages over the conversations they
// may see and did not mute (the pushes' badge counts the same way).
func (s *Service) UnreadCount(ctx context.Context, v *models.Viewer) (int, error) {
	if err := policy.RequireViewer(v); err != nil {
		return 0, err
	}
	var n int
	err := s.DB.WithContext(ctx).Raw("SELECT "+policy.UnreadMessagesSQL("?"), v.ID).Scan(&n).Error
	return n, internal(err)
}

// Conversations lists the conversations the viewer may see, most recent
// activity first (keyset on (last message time, id)).
func (s *Service) Conversations(ctx context.Context, v *models.Viewer, size *int, after *string) (*models.ConversationConnection, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	n, err := pageSize(size)
	if err != nil {
		return nil, err
	}
	q := s.DB.WithContext(ctx).Scopes(policy.Conversations(v))
	if after != nil {
		at, id, err := decodeCursor("after", *after)
		if err != nil {
			return nil, err
		}
		q = q.Where("(conversations.last_message_at, conversations.id) < (?, ?)", at, id)
	}
	return keysetPage(q, "conversations.last_message_at DESC, conversations.id DESC", n,
		func(c *models.Conversation) string { return encodeCursor(c.LastMessageAt, c.ID) })
}

// Messages pages a conversation's messages newest first; after a cursor
// come older ones (the app scrolls back in time).
func (s *Service) Messages(ctx context.Context, v *models.Viewer, c *models.Conversation, size *int, after *string) (*models.MessageConnection, error) {
	n, err := pageSize(size)
	if err != nil {
		return nil, err
	}
	q := s.DB.WithContext(ctx).Where("conversation_id = ?", c.ID)
	if after != nil {
		seq, err := decodeSeq(*after)
		if err != nil {
			return nil, err
		}
		q = q.Where("seq < ?", seq)
	}
	return keysetPage(q, "seq DESC", n, func(m *models.Message) string { return encodeSeq(m.Seq) })
}

// Message returns one message of a conversation the viewer may see, the
// access check and the message in one statement: live subscriptions run
// it for every message they deliver. A conversation the viewer may not
// see has no message for them (NOT_FOUND). The viewer is checked as it is
// now: when its access changed since it was read (a socket's sign-in),
// the error is models.ErrUnconfirmed, and every instance is told.
func (s *Service) Message(ctx context.Context, v *models.Viewer, conversationID, id string) (*models.Message, error) {
	return s.MessageIn(ctx, v, conversationID, id, "")
}

// MessageIn is Message with, for a language code lang, the message's
// stored translation into it read in the same statement: ReadIn is lang,
// and Translation the translation or nil while there is none. A live
// subscription reads each message it delivers this way, so the body costs
// no lookup of its own (a new message is seldom translated yet: the
// lookup found nothing nearly every time).
func (s *Service) MessageIn(ctx context.Context, v *models.Viewer, conversationID, id, lang string) (*models.Message, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if !validID(conversationID) || !validID(id) {
		return nil, models.NotFound("message")
	}
	// Written and scanned without GORM, as the message's own statement
	// is: a delivery reads one for every live subscriber.
	var row messageRow
	cols, dsts := row.columns()
	sees, p := policy.ConversationVisibleSQL(v)
	p["message"], p["conversation"], p["lang"] = id, conversationID, lang
	join := ``
	if lang != "" {
		// A translation's key is the SHA-256 of the text as written
		// (translation.Hash), which PostgreSQL computes from the body alike.
		cols += `, t.hash, t.text, t.source`
		dsts = append(dsts, &row.TranslationHash, &row.TranslationText, &row.TranslationSource)
		join = `LEFT JOIN translations t ON t.hash = sha256(convert_to(messages.body, 'UTF8')) AND t.target = @lang`
	}
	// v is checked as it is now, not only as it was read (a socket's
	// viewer is its sign-in's): its access version unchanged.
	p["stamp_uid"], p["stamp_version"] = v.ID, v.AccessVersion
	query, vars, err := bindNamed(`SELECT `+cols+` FROM messages `+join+`
		WHERE messages.id = @message AND messages.conversation_id = @conversation
		AND `+sees+` AND `+accessStampSQL, p, nil)
	if err != nil {
		return nil, models.Internal(err)
	}
	db := s.DB.WithContext(ctx)
	found := false
	if err := s.native(ctx, "message_in", db, query, vars, dsts, func() error { found = true; return nil }); err != nil {
		return nil, internal(err)
	}
	if !found {
		// Not found, or v's access changed since v was read.
		if err := s.stillCurrent(db, v); err != nil {
			return nil, err
		}
		return nil, models.NotFound("message")
	}
	m := row.Message
	if lang != "" {
		m.ReadIn = lang
		if row.TranslationText != nil && row.TranslationSource != nil {
			m.Translation = &models.Translation{Hash: row.TranslationHash, Target: lang, Text: *row.TranslationText, Source: *row.TranslationSource}
		}
	}
	return &m, nil
}

// StillCurrent checks that nothing a sign-in reads for v changed since v
// was read (its access version): for a socket's viewer, which is its
// sign-in's. When it did, whoever changed it, the error is
// models.ErrUnconfirmed, and every instance is told (EventAccessChanged:
// the user's sockets close, and the app signs in again).
func (s *Service) StillCurrent(ctx context.Context, v *models.Viewer) error {
	if err := policy.RequireViewer(v); err != nil {
		return err
	}
	return s.stillCurrent(s.DB.WithContext(ctx), v)
}

func (s *Service) stillCurrent(db *gorm.DB, v *models.Viewer) error {
	var same bool
	if err := db.Raw(`SELECT COALESCE(`+accessStampSQL+`, false)`, map[string]any{"stamp_uid": v.ID, "stamp_version": v.AccessVersion}).Scan(&same).Error; err != nil {
		return internal(err)
	}
	if same {
		return nil
	}
	if s.Events != nil {
		s.Events.Publish(models.Event{Topic: models.AccessTopic(v.ID), Type: models.EventAccessChanged})
	}
	return models.ErrUnconfirmed
}

// messageRow is a message with its translation's columns (MessageIn).
type messageRow struct {
	models.Message
	TranslationHash   []byte
	TranslationText   *string
	TranslationSource *string
}

// columns are the message's columns and where each goes in r;
// TestMessageColumnsCoverModel keeps them whole.
func (r *messageRow) columns() (string, []any) {
	m := &r.Message
	return joinColumns([]column{
		{"messages.id", &m.ID}, {"messages.conversation_id", &m.ConversationID}, {"messages.seq", &m.Seq},
		{"messages.sender_id", &m.SenderID}, {"messages.body", &m.Body}, {"messages.urgent", &m.Urgent},
		{"messages.created_at", &m.CreatedAt},
	})
}
