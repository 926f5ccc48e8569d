package push

import (
	"fmt"
	"strings"
	"time"

	"firebase.google.com/go/v4/messaging"

	"github.com/sameside/sameside/models"
	sstexts "github.com/sameside/sameside/models/texts"
)

type text struct{ title, body string }

// catalog holds each payload type's title and body per language. {name}
// placeholders are filled from the notice's params; {recipient} is the
// recipient's display name.
var catalog = map[string]map[string]text{
	models.NoticeTest: {
		"en": {"SameSide test", "Notifications work on this device, {recipient}."},
		"es": {"Prueba de SameSide", "Las notificaciones funcionan en este dispositivo, {recipient}."},
		"zh": {"SameSide 测试", "此设备可以接收通知，{recipient}。"},
		"vi": {"Thử nghiệm SameSide", "Thông báo hoạt động trên thiết bị này, {recipient}."},
		"ar": {"اختبار SameSide", "الإشعارات تعمل على هذا الجهاز يا {recipient}."},
	},
	// A type may vary by the notice's "kind" param: TYPE:KIND first.
	"OBSERVATION_SHARED:POSITIVE": {
		"en": {"A positive note about {student}", "{author} shared something {student} did well."},
		"es": {"Una nota positiva sobre {student}", "{author} compartió algo que {student} hizo bien."},
		"zh": {"关于 {student} 的表扬", "{author} 分享了 {student} 做得好的事情。"},
		"vi": {"Một lời khen về {student}", "{author} đã chia sẻ điều {student} làm tốt."},
		"ar": {"ملاحظة إيجابية عن {student}", "شارك {author} شيئًا أحسن {student} فعله."},
	},
	"OBSERVATION_SHARED": {
		"en": {"{author} shared an observation about {student}", "Open it to read it and share what you see at home."},
		"es": {"{author} compartió una observación sobre {student}", "Ábrela para leerla y contar lo que ves en casa."},
		"zh": {"{author} 分享了关于 {student} 的观察", "打开查看，并分享您在家里看到的情况。"},
		"vi": {"{author} đã chia sẻ một nhận xét về {student}", "Mở ra để đọc và chia sẻ những gì bạn thấy ở nhà."},
		"ar": {"شارك {author} ملاحظة عن {student}", "افتحها لقراءتها ولمشاركة ما تراه في البيت."},
	},
	"OBSERVATION_RESPONSE": {
		"en": {"{parent} replied about {student}", "Open the observation to read the reply."},
		"es": {"{parent} respondió sobre {student}", "Abre la observación para leer la respuesta."},
		"zh": {"{parent} 回复了关于 {student} 的内容", "打开观察记录查看回复。"},
		"vi": {"{parent} đã trả lời về {student}", "Mở nhận xét để đọc câu trả lời."},
		"ar": {"ردّ {parent} بخصوص {student}", "افتح الملاحظة لقراءة الرد."},
	},
	"TRIED_AT_HOME": {
		"en": {"{parent} tried it at home", "{student}'s family tried your suggestion. Open the note to read how it went."},
		"es": {"{parent} lo probó en casa", "La familia de {student} probó su sugerencia. Abra la nota para leer cómo fue."},
		"zh": {"{parent} 在家试过了", "{student} 的家人试了您的建议。打开记录看看效果如何。"},
		"vi": {"{parent} đã thử ở nhà", "Gia đình {student} đã thử gợi ý của bạn. Mở ghi chú để đọc kết quả."},
		"ar": {"جرّبها {parent} في البيت", "جرّبت أسرة {student} اقتراحك. افتح الملاحظة لتقرأ كيف سارت الأمور."},
	},
	"POSITIVE_NOTE_REMINDER": {
		"en": {"Still waiting for a positive note this week", "{students}: one thing each did well makes a family's week."},
		"es": {"Aún esperan una nota positiva esta semana", "{students}: algo que cada uno hizo bien alegra la semana de una familia."},
		"zh": {"本周还没有收到表扬的学生", "{students}：每人一件做得好的小事，就能让家长开心一周。"},
		"vi": {"Vẫn chờ một lời khen tuần này", "{students}: một điều mỗi em làm tốt sẽ làm cả tuần của gia đình vui hơn."},
		"ar": {"ما زالوا ينتظرون ملاحظة إيجابية هذا الأسبوع", "{students}: شيء واحد أحسنه كل منهم يُسعد أسرته طوال الأسبوع."},
	},
	"HOME_INSIGHT": {
		"en": {"A note from home about {student}", "{parent} shared what they see at home."},
		"es": {"Una nota de casa sobre {student}", "{parent} compartió lo que ve en casa."},
		"zh": {"来自家里关于 {student} 的留言", "{parent} 分享了在家里看到的情况。"},
		"vi": {"Một ghi chú từ gia đình về {student}", "{parent} đã chia sẻ những gì họ thấy ở nhà."},
		"ar": {"ملاحظة من البيت عن {student}", "شارك {parent} ما يراه في البيت."},
	},
	"REVIEW_REQUESTED": {
		"en": {"A concern to review", "{author} asked for your review before sharing it with the family."},
		"es": {"Una inquietud para revisar", "{author} pidió tu revisión antes de compartirla con la familia."},
		"zh": {"一条待审阅的关注事项", "{author} 请您在分享给家庭之前审阅。"},
		"vi": {"Một mối lo cần xem lại", "{author} nhờ bạn xem lại trước khi chia sẻ với gia đình."},
		"ar": {"ملاحظة مقلقة للمراجعة", "طلب {author} مراجعتك قبل مشاركتها مع الأسرة."},
	},
	"NEW_MESSAGE": {
		"en": {"{sender}", "New message: {subject}"},
		"es": {"{sender}", "Nuevo mensaje: {subject}"},
		"zh": {"{sender}", "新消息：{subject}"},
		"vi": {"{sender}", "Tin nhắn mới: {subject}"},
		"ar": {"{sender}", "رسالة جديدة: {subject}"},
	},
	"CONFERENCE:BOOKED": {
		"en": {"Conference booked: {student}", "{startsAt} with {teacher}."},
		"es": {"Reunión reservada: {student}", "{startsAt} con {teacher}."},
		"zh": {"已预约家长会：{student}", "{startsAt}，与 {teacher}。"},
		"vi": {"Đã đặt lịch họp: {student}", "{startsAt} với {teacher}."},
		"ar": {"تم حجز اللقاء: {student}", "{startsAt} مع {teacher}."},
	},
	"CONFERENCE:CHANGED": {
		"en": {"Conference moved: {student}", "Now {startsAt} with {teacher}."},
		"es": {"Reunión cambiada: {student}", "Ahora {startsAt} con {teacher}."},
		"zh": {"家长会已改期：{student}", "现在是 {startsAt}，与 {teacher}。"},
		"vi": {"Lịch họp đã đổi: {student}", "Giờ mới: {startsAt} với {teacher}."},
		"ar": {"تغيّر موعد اللقاء: {student}", "الآن {startsAt} مع {teacher}."},
	},
	"CONFERENCE:CANCELLED": {
		"en": {"Conference cancelled: {student}", "{startsAt} with {teacher} is off. Open the app to choose another time."},
		"es": {"Reunión cancelada: {student}", "{startsAt} con {teacher} no se hará. Abre la app para elegir otra hora."},
		"zh": {"家长会已取消：{student}", "与 {teacher} 在 {startsAt} 的会面取消了。请打开应用选择其他时间。"},
		"vi": {"Lịch họp đã hủy: {student}", "Buổi họp {startsAt} với {teacher} không diễn ra. Mở ứng dụng để chọn giờ khác."},
		"ar": {"أُلغي اللقاء: {student}", "أُلغي لقاء {startsAt} مع {teacher}. افتح التطبيق لاختيار وقت آخر."},
	},
	"CONFERENCE:REMINDER_DAY": {
		"en": {"Conference tomorrow: {student}", "{startsAt} with {teacher}."},
		"es": {"Reunión mañana: {student}", "{startsAt} con {teacher}."},
		"zh": {"明天的家长会：{student}", "{startsAt}，与 {teacher}。"},
		"vi": {"Họp vào ngày mai: {student}", "{startsAt} với {teacher}."},
		"ar": {"لقاء الغد: {student}", "{startsAt} مع {teacher}."},
	},
	"CONFERENCE:REMINDER_HOUR": {
		"en": {"Conference in 1 hour: {student}", "{startsAt} with {teacher}."},
		"es": {"Reunión en 1 hora: {student}", "{startsAt} con {teacher}."},
		"zh": {"1 小时后的家长会：{student}", "{startsAt}，与 {teacher}。"},
		"vi": {"Họp sau 1 giờ nữa: {student}", "{startsAt} với {teacher}."},
		"ar": {"لقاء بعد ساعة: {student}", "{startsAt} مع {teacher}."},
	},
	"CONFERENCE_FOLLOW_UP:SUMMARY": {
		"en": {"After your meeting about {student}", "{actor} shared a summary and the next steps you agreed."},
		"es": {"Después de su reunión sobre {student}", "{actor} compartió un resumen y los próximos pasos acordados."},
		"zh": {"关于 {student} 的会面之后", "{actor} 分享了会面总结和你们商定的下一步。"},
		"vi": {"Sau buổi gặp về {student}", "{actor} đã chia sẻ bản tóm tắt và các bước tiếp theo đã thống nhất."},
		"ar": {"بعد لقائكم بخصوص {student}", "شارك {actor} ملخصًا والخطوات التالية التي اتفقتم عليها."},
	},
	"CONFERENCE_FOLLOW_UP:CHECK_IN": {
		"en": {"How are the next steps going for {student}?", "Tell each other how the steps from your meeting are going."},
		"es": {"¿Cómo van los próximos pasos de {student}?", "Cuéntense cómo van los pasos acordados en la reunión."},
		"zh": {"{student} 的下一步进展如何？", "互相说说会面时商定的各项步骤进展如何。"},
		"vi": {"Các bước tiếp theo cho {student} thế nào rồi?", "Hãy cho nhau biết các bước đã thống nhất trong buổi gặp đang tiến triển ra sao."},
		"ar": {"كيف تسير الخطوات التالية لـ {student}؟", "أخبروا بعضكم كيف تسير الخطوات التي اتفقتم عليها في اللقاء."},
	},
	"CONFERENCE_FOLLOW_UP:ACKNOWLEDGED": {
		"en": {"{actor} read the summary about {student}", "The family acknowledged your meeting summary."},
		"es": {"{actor} leyó el resumen sobre {student}", "La familia confirmó el resumen de la reunión."},
		"zh": {"{actor} 已阅读关于 {student} 的总结", "家长已确认您的会面总结。"},
		"vi": {"{actor} đã đọc bản tóm tắt về {student}", "Gia đình đã xác nhận bản tóm tắt buổi gặp của bạn."},
		"ar": {"قرأ {actor} الملخص الخاص بـ {student}", "أكدت الأسرة اطلاعها على ملخص اللقاء."},
	},
	"CONFERENCE_FOLLOW_UP:ANSWERED": {
		"en": {"{actor} wrote about the next steps for {student}", "Open the meeting summary to read it."},
		"es": {"{actor} escribió sobre los próximos pasos de {student}", "Abra el resumen de la reunión para leerlo."},
		"zh": {"{actor} 写了关于 {student} 下一步的内容", "打开会面总结查看。"},
		"vi": {"{actor} đã viết về các bước tiếp theo cho {student}", "Mở bản tóm tắt buổi gặp để đọc."},
		"ar": {"كتب {actor} عن الخطوات التالية لـ {student}", "افتح ملخص اللقاء لقراءته."},
	},
	"CONFERENCE_REQUEST:REQUESTED": {
		"en": {"Meeting request about {student}", "{actor} would like to meet with the school. Propose some times."},
		"es": {"Solicitud de reunión sobre {student}", "{actor} quiere reunirse con la escuela. Propón algunos horarios."},
		"zh": {"关于 {student} 的会面请求", "{actor} 希望与学校见面。请提出几个时间。"},
		"vi": {"Yêu cầu gặp mặt về {student}", "{actor} muốn gặp nhà trường. Hãy đề xuất vài khung giờ."},
		"ar": {"طلب لقاء بخصوص {student}", "يرغب {actor} في لقاء المدرسة. اقترح بعض الأوقات."},
	},
	"CONFERENCE_REQUEST:PROPOSED": {
		"en": {"Times for your meeting about {student}", "{actor} proposed times. Choose the one that suits you."},
		"es": {"Horarios para tu reunión sobre {student}", "{actor} propuso horarios. Elige el que te convenga."},
		"zh": {"关于 {student} 的会面时间", "{actor} 提出了几个时间。请选择适合您的时间。"},
		"vi": {"Các khung giờ cho buổi gặp về {student}", "{actor} đã đề xuất các khung giờ. Hãy chọn giờ phù hợp với bạn."},
		"ar": {"مواعيد للقائك بخصوص {student}", "اقترح {actor} مواعيد. اختر ما يناسبك."},
	},
	"CONFERENCE_REQUEST:SCHEDULED": {
		"en": {"Meeting about {student} scheduled", "{startsAt}, chosen by {actor}."},
		"es": {"Reunión sobre {student} programada", "{startsAt}, elegida por {actor}."},
		"zh": {"关于 {student} 的会面已安排", "{startsAt}，由 {actor} 选择。"},
		"vi": {"Đã xếp lịch gặp về {student}", "{startsAt}, do {actor} chọn."},
		"ar": {"تم تحديد موعد اللقاء بخصوص {student}", "{startsAt}، اختاره {actor}."},
	},
	"CONFERENCE_REQUEST:CANCELLED": {
		"en": {"Meeting about {student} cancelled", "{actor} cancelled the meeting request."},
		"es": {"Reunión sobre {student} cancelada", "{actor} canceló la solicitud de reunión."},
		"zh": {"关于 {student} 的会面已取消", "{actor} 取消了会面请求。"},
		"vi": {"Buổi gặp về {student} đã hủy", "{actor} đã hủy yêu cầu gặp mặt."},
		"ar": {"أُلغي اللقاء بخصوص {student}", "ألغى {actor} طلب اللقاء."},
	},
	"CONFERENCE_REQUEST:REMINDER_DAY": {
		"en": {"Meeting tomorrow about {student}", "{startsAt} with the school."},
		"es": {"Reunión mañana sobre {student}", "{startsAt} con la escuela."},
		"zh": {"明天关于 {student} 的会面", "{startsAt}，与学校。"},
		"vi": {"Gặp vào ngày mai về {student}", "{startsAt} với nhà trường."},
		"ar": {"لقاء الغد بخصوص {student}", "{startsAt} مع المدرسة."},
	},
	"CONFERENCE_REQUEST:REMINDER_HOUR": {
		"en": {"Meeting in 1 hour about {student}", "{startsAt} with the school."},
		"es": {"Reunión en 1 hora sobre {student}", "{startsAt} con la escuela."},
		"zh": {"1 小时后关于 {student} 的会面", "{startsAt}，与学校。"},
		"vi": {"Gặp sau 1 giờ nữa về {student}", "{startsAt} với nhà trường."},
		"ar": {"لقاء بعد ساعة بخصوص {student}", "{startsAt} مع المدرسة."},
	},
	"ANNOUNCEMENT": {
		"en": {"{school}: {title}", "A new announcement. Open it to read it."},
		"es": {"{school}: {title}", "Un nuevo aviso. Ábrelo para leerlo."},
		"zh": {"{school}：{title}", "一则新公告。打开查看。"},
		"vi": {"{school}: {title}", "Một thông báo mới. Mở ra để đọc."},
		"ar": {"{school}: {title}", "إعلان جديد. افتحه لقراءته."},
	},
	"EVENT:PROMOTED": {
		"en": {"A seat opened: {title}", "You are off the waitlist: see you {startsAt}."},
		"es": {"Se liberó un lugar: {title}", "Ya no estás en lista de espera: te esperamos el {startsAt}."},
		"zh": {"有空位了：{title}", "您已不在候补名单上：{startsAt} 见。"},
		"vi": {"Đã có chỗ trống: {title}", "Bạn không còn trong danh sách chờ: hẹn gặp {startsAt}."},
		"ar": {"توفّر مقعد: {title}", "لم تعد على قائمة الانتظار: نراك {startsAt}."},
	},
	"EVENT:REMINDER_DAY": {
		"en": {"Tomorrow: {title}", "{startsAt}. See you there."},
		"es": {"Mañana: {title}", "{startsAt}. Te esperamos."},
		"zh": {"明天：{title}", "{startsAt}。到时见。"},
		"vi": {"Ngày mai: {title}", "{startsAt}. Hẹn gặp bạn ở đó."},
		"ar": {"غدًا: {title}", "{startsAt}. نراك هناك."},
	},
	"REVIEW_RETURNED": {
		"en": {"Your draft came back with coaching", "{reviewer} left a comment on your concern."},
		"es": {"Tu borrador volvió con sugerencias", "{reviewer} dejó un comentario en tu inquietud."},
		"zh": {"您的草稿已退回并附有建议", "{reviewer} 对您的关注事项留下了评论。"},
		"vi": {"Bản nháp của bạn đã được gửi lại kèm góp ý", "{reviewer} đã để lại nhận xét về mối lo của bạn."},
		"ar": {"عادت مسودتك مع إرشادات", "ترك {reviewer} تعليقًا على ملاحظتك المقلقة."},
	},
}

// templates are a type's title and body per language: its kind's, when the
// catalog words that kind apart.
func templates(typ, kind string) (map[string]text, bool) {
	if t, ok := catalog[typ+":"+kind]; ok {
		return t, true
	}
	t, ok := catalog[typ]
	return t, ok
}

// localize picks the user's language (falling back to English) and fills the
// placeholders.
func localize(typ, locale string, params map[string]string) (title, body string) {
	texts, ok := templates(typ, params["kind"])
	if !ok {
		return "SameSide", "You have something new in SameSide."
	}
	t, ok := texts[sstexts.Lang(locale)]
	if !ok {
		t = texts["en"]
	}
	return sstexts.Fill(t.title, params), sstexts.Fill(t.body, params)
}

// recipientInfo is what a message needs about its user.
type recipientInfo struct {
	name     string
	locale   string
	timeZone string
	badge    int
}

// Render is a notification's title and body as a user reads it (their
// language, times in their zone): the push shows it, and email and SMS
// say the same.
func Render(n *models.Notification, u *models.User) (title, body string) {
	return render(n, recipientInfo{name: u.DisplayName, locale: u.Locale, timeZone: u.TimeZone})
}

func render(n *models.Notification, who recipientInfo) (title, body string) {
	params := map[string]string{"recipient": who.name}
	for k, v := range n.Params {
		params[k] = localTime(k, v, who)
	}
	return localize(n.Type, who.locale, params)
}

// Renderer renders one notification for each of its readers, once for
// all who read it alike: the same locale, the same time zone when the
// notice shows a time, the same name when its text names its reader. A
// school-wide announcement reads alike for nearly every family: its pushes,
// emails and texts render a few times, not once a family.
type Renderer struct {
	n      *models.Notification
	byZone bool // a param is a time, shown in the reader's zone
	byName bool // a text says {recipient}
	seen   map[renderKey]text
}

type renderKey struct{ locale, timeZone, name string }

// NewRenderer returns a Renderer of n.
func NewRenderer(n *models.Notification) *Renderer {
	r := &Renderer{n: n, seen: map[renderKey]text{}}
	for k := range n.Params {
		r.byZone = r.byZone || isTime(k)
	}
	texts, _ := templates(n.Type, n.Params["kind"]) // none: the fallback names no one
	for _, t := range texts {
		r.byName = r.byName || strings.Contains(t.title, "{recipient}") || strings.Contains(t.body, "{recipient}")
	}
	return r
}

// Render is the notification's title and body as u reads them (as Render
// says).
func (r *Renderer) Render(u *models.User) (title, body string) {
	t := r.render(recipientInfo{name: u.DisplayName, locale: u.Locale, timeZone: u.TimeZone})
	return t.title, t.body
}

// render is the notification's title and body as who reads them.
func (r *Renderer) render(who recipientInfo) text {
	k := renderKey{locale: who.locale}
	if r.byZone {
		k.timeZone = who.timeZone
	}
	if r.byName {
		k.name = who.name
	}
	t, ok := r.seen[k]
	if !ok {
		t.title, t.body = render(r.n, who)
		r.seen[k] = t
	}
	return t
}

// pushShape is what every push of one notification shares: its data,
// priority, channel and APNs headers. Its maps are only read once built,
// by the SDK as it marshals each message (its own MulticastMessage hands
// one Data map to every message it makes).
type pushShape struct {
	n                   *models.Notification
	data, apnsHeaders   map[string]string
	priority, channelID string
}

func newPushShape(n *models.Notification) *pushShape {
	data := map[string]string{"type": n.Type, "notificationId": n.ID, "deepLink": n.DeepLink, "category": string(n.Category)}
	for k, v := range n.Data {
		data[k] = v
	}
	priority, apnsPriority := "normal", "5"
	if n.Urgent {
		priority, apnsPriority = "high", "10"
	}
	return &pushShape{
		n:           n,
		data:        data,
		apnsHeaders: map[string]string{"apns-priority": apnsPriority, "apns-collapse-id": truncate(n.CollapseKey, 64)},
		priority:    priority,
		channelID:   strings.ToLower(string(n.Category)),
	}
}

// pushParts are the parts of one message, made as one allocation rather
// than eight: a school-wide announcement makes thousands.
type pushParts struct {
	msg         messaging.Message
	note        messaging.Notification
	android     messaging.AndroidConfig
	androidNote messaging.AndroidNotification
	apns        messaging.APNSConfig
	payload     messaging.APNSPayload
	aps         messaging.Aps
	badge       int
}

// message makes the FCM message for one device whose user reads t and
// has badge unread.
func (s *pushShape) message(token string, badge int, t text) *messaging.Message {
	p := &pushParts{badge: badge}
	p.note = messaging.Notification{Title: t.title, Body: t.body}
	p.androidNote = messaging.AndroidNotification{ChannelID: s.channelID, Tag: s.n.CollapseKey, NotificationCount: &p.badge}
	p.android = messaging.AndroidConfig{CollapseKey: s.n.CollapseKey, Priority: s.priority, Notification: &p.androidNote}
	p.aps = messaging.Aps{ThreadID: s.n.ThreadID, Badge: &p.badge, Sound: "default"}
	p.payload = messaging.APNSPayload{Aps: &p.aps}
	p.apns = messaging.APNSConfig{Headers: s.apnsHeaders, Payload: &p.payload}
	p.msg = messaging.Message{Token: token, Notification: &p.note, Data: s.data, Android: &p.android, APNS: &p.apns}
	return &p.msg
}

// localTime writes a param named like "startsAt" holding an RFC 3339 time
// as a wall-clock time in the recipient's zone and language ("Mon, Nov 8 at
// 3:30 PM EST"; "lun 8/11, 15:30 CET"); other params pass unchanged.
func localTime(key, value string, who recipientInfo) string {
	if !isTime(key) {
		return value
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return value
	}
	loc, err := models.LoadZone(who.timeZone)
	if err != nil {
		loc = time.UTC
	}
	t = t.In(loc)
	switch sstexts.Lang(who.locale) {
	case "es":
		days := []string{"dom", "lun", "mar", "mié", "jue", "vie", "sáb"}
		return fmt.Sprintf("%s %d/%d, %s", days[t.Weekday()], t.Day(), int(t.Month()), t.Format("15:04 MST"))
	case "zh":
		days := []string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
		return fmt.Sprintf("%d月%d日%s %s", int(t.Month()), t.Day(), days[t.Weekday()], t.Format("15:04 MST"))
	case "vi":
		return fmt.Sprintf("%s ngày %d/%d", t.Format("15:04 MST"), t.Day(), int(t.Month()))
	case "ar":
		days := []string{"الأحد", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"}
		return fmt.Sprintf("%s %d/%d، %s", days[t.Weekday()], t.Day(), int(t.Month()), t.Format("15:04 MST"))
	}
	return t.Format("Mon, Jan 2 at 3:04 PM MST")
}

// isTime says whether a param is a time to show in the reader's zone.
func isTime(key string) bool { return strings.HasSuffix(key, "At") }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
