// Package texts holds the fixed texts people read outside the app — email
// and SMS bodies and subjects — per language, and the two rules every
// catalog of the server shares (push titles use them too): which of our
// languages a locale gets, and how {placeholders} are filled.
package texts

import (
	"slices"
	"strings"

	lru "github.com/hashicorp/golang-lru/v2"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Languages are the languages the catalogs have, the fallback first:
// English, Spanish, Chinese (Simplified), Vietnamese, Arabic (written
// right to left; the app lays it out).
var Languages = []string{"en", "es", "zh", "vi", "ar"}

var matcher = language.NewMatcher([]language.Tag{language.English, language.Spanish, language.SimplifiedChinese, language.Vietnamese, language.Arabic})

// Lang is the catalog language for a locale (BCP 47), English by default.
// A push to a school asks it once per family: the answers for the last
// maxLangs locales asked are kept (locales are few in practice).
func Lang(locale string) string {
	if l, ok := langs.Get(locale); ok {
		return l
	}
	tag, _ := language.Parse(locale)
	_, idx, _ := matcher.Match(tag)
	l := Languages[idx]
	langs.Add(locale, l)
	return l
}

// maxLangs bounds the locales Lang keeps an answer for.
const maxLangs = 1024

var langs = func() *lru.Cache[string, string] {
	c, err := lru.New[string, string](maxLangs)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return c
}()

// Fill replaces each {name} in s with params[name], in one pass from the
// left: a {name} params lacks stays as it is, and what a value holds is
// not filled in turn.
func Fill(s string, params map[string]string) string {
	if len(params) == 0 || strings.IndexByte(s, '{') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16*len(params))
	for {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open+1:], '}')
		if end < 0 {
			break
		}
		v, ok := params[s[open+1:open+1+end]]
		if !ok { // not a placeholder: keep the brace, look after it
			b.WriteString(s[:open+1])
			s = s[open+1:]
			continue
		}
		b.WriteString(s[:open])
		b.WriteString(v)
		s = s[open+end+2:]
	}
	b.WriteString(s)
	return b.String()
}

// catalog is each text per language.
var catalog = map[string]map[string]string{
	// Errors, for people (extensions.localizedMessage), by code.
	"error.UNAUTHENTICATED": {
		"en": "Please sign in again.",
		"es": "Vuelve a iniciar sesión.",
		"zh": "请重新登录。",
		"vi": "Vui lòng đăng nhập lại.",
		"ar": "يُرجى تسجيل الدخول مرة أخرى.",
	},
	"error.FORBIDDEN": {
		"en": "You are not allowed to do this.",
		"es": "No tienes permiso para hacer esto.",
		"zh": "您无权执行此操作。",
		"vi": "Bạn không được phép làm việc này.",
		"ar": "لا يُسمح لك بالقيام بذلك.",
	},
	"error.NOT_FOUND": {
		"en": "We could not find this. It may have been removed.",
		"es": "No encontramos esto. Puede que se haya eliminado.",
		"zh": "找不到该内容，可能已被删除。",
		"vi": "Không tìm thấy mục này. Có thể nó đã bị xóa.",
		"ar": "لم نعثر على هذا. ربما تمت إزالته.",
	},
	"error.BAD_USER_INPUT": {
		"en": "Something in what you entered is not right. Check it and try again.",
		"es": "Algo de lo que escribiste no es correcto. Revísalo e inténtalo de nuevo.",
		"zh": "您输入的内容有误。请检查后重试。",
		"vi": "Có thông tin bạn nhập chưa đúng. Hãy kiểm tra và thử lại.",
		"ar": "هناك خطأ فيما أدخلته. تحقق منه وحاول مرة أخرى.",
	},
	"error.CONFLICT": {
		"en": "This changed in the meantime. Refresh and try again.",
		"es": "Esto cambió mientras tanto. Actualiza e inténtalo de nuevo.",
		"zh": "此内容已被更改。请刷新后重试。",
		"vi": "Nội dung này đã thay đổi. Hãy làm mới và thử lại.",
		"ar": "تغيّر هذا في الأثناء. حدّث الصفحة وحاول مرة أخرى.",
	},
	"error.RATE_LIMITED": {
		"en": "Too many tries. Please wait a moment and try again.",
		"es": "Demasiados intentos. Espera un momento e inténtalo de nuevo.",
		"zh": "尝试次数过多。请稍候再试。",
		"vi": "Bạn đã thử quá nhiều lần. Vui lòng đợi một lát rồi thử lại.",
		"ar": "محاولات كثيرة جدًا. انتظر قليلًا ثم حاول مرة أخرى.",
	},
	"error.UNAVAILABLE": {
		"en": "SameSide is busy right now. Please try again in a moment.",
		"es": "SameSide está ocupado ahora. Inténtalo de nuevo en un momento.",
		"zh": "SameSide 当前繁忙。请稍后再试。",
		"vi": "SameSide đang bận. Vui lòng thử lại sau giây lát.",
		"ar": "SameSide مشغول الآن. حاول مرة أخرى بعد قليل.",
	},
	"error.INTERNAL": {
		"en": "Something went wrong on our side. Please try again.",
		"es": "Algo salió mal de nuestro lado. Inténtalo de nuevo.",
		"zh": "我们这边出了点问题。请重试。",
		"vi": "Đã có lỗi từ phía chúng tôi. Vui lòng thử lại.",
		"ar": "حدث خطأ من جهتنا. حاول مرة أخرى.",
	},
	"error.UPGRADE_REQUIRED": {
		"en": "This version of the app is too old. Please update SameSide to continue.",
		"es": "Esta versión de la aplicación es demasiado antigua. Actualiza SameSide para continuar.",
		"zh": "此版本的应用过旧。请更新 SameSide 后继续。",
		"vi": "Phiên bản ứng dụng này đã quá cũ. Vui lòng cập nhật SameSide để tiếp tục.",
		"ar": "هذا الإصدار من التطبيق قديم جدًا. حدّث SameSide للمتابعة.",
	},
	"error.PERSISTED_QUERY_NOT_FOUND": {
		"en": "Please try again.",
		"es": "Inténtalo de nuevo.",
		"zh": "请重试。",
		"vi": "Vui lòng thử lại.",
		"ar": "حاول مرة أخرى.",
	},
	"error.PERSISTED_QUERY_NOT_IN_LIST": {
		"en": "This version of the app cannot do this. Please update SameSide.",
		"es": "Esta versión de la aplicación no puede hacer esto. Actualiza SameSide.",
		"zh": "此版本的应用无法执行此操作。请更新 SameSide。",
		"vi": "Phiên bản ứng dụng này không làm được việc này. Vui lòng cập nhật SameSide.",
		"ar": "لا يستطيع هذا الإصدار من التطبيق القيام بذلك. حدّث SameSide.",
	},
	// Draft hints (models/domain/hints.go), in the teacher's language.
	"hint.ABSOLUTE": {
		"en": "Absolute words can sound like a verdict. Say how often or when, with an example.",
		"es": "Las palabras absolutas pueden sonar a veredicto. Di con qué frecuencia o cuándo, con un ejemplo.",
		"zh": "绝对化的词语听起来像下结论。请说明频率或时间，并举一个例子。",
		"vi": "Những từ tuyệt đối có thể nghe như một lời phán xét. Hãy nói mức độ thường xuyên hoặc khi nào, kèm một ví dụ.",
		"ar": "الكلمات المطلقة قد تبدو كحكم نهائي. اذكر كم مرة أو متى، مع مثال.",
	},
	"hint.LABEL": {
		"en": "This word labels the child. Describe what you saw them do instead.",
		"es": "Esta palabra etiqueta al niño. Describe mejor lo que le viste hacer.",
		"zh": "这个词给孩子贴了标签。请改为描述您看到孩子做了什么。",
		"vi": "Từ này dán nhãn cho trẻ. Thay vào đó, hãy mô tả điều bạn thấy trẻ làm.",
		"ar": "هذه الكلمة تُلصق وصفًا بالطفل. صِف بدلًا من ذلك ما رأيته يفعل.",
	},
	"hint.NO_INVITATION": {
		"en": "Invite the parents' view: ask what they see at home.",
		"es": "Invita a la familia a opinar: pregunta qué ven en casa.",
		"zh": "请邀请家长分享看法：问问他们在家里看到了什么。",
		"vi": "Hãy mời phụ huynh chia sẻ: hỏi họ thấy gì ở nhà.",
		"ar": "ادعُ الأهل لإبداء رأيهم: اسألهم عمّا يرونه في البيت.",
	},
	"hint.TOO_SHORT": {
		"en": "A concern needs context: what happened, when, and what you tried.",
		"es": "Una inquietud necesita contexto: qué pasó, cuándo y qué intentaste.",
		"zh": "关注事项需要背景：发生了什么、什么时候，以及您尝试过什么。",
		"vi": "Một mối lo cần có bối cảnh: chuyện gì đã xảy ra, khi nào và bạn đã thử những gì.",
		"ar": "الملاحظة المقلقة تحتاج إلى سياق: ماذا حدث، ومتى، وماذا جرّبت.",
	},
	"hint.TOO_LONG": {
		"en": "This is long for a message. Consider a call or a conference.",
		"es": "Es largo para un mensaje. Considera una llamada o una reunión.",
		"zh": "这条消息太长了。可以考虑打电话或开家长会。",
		"vi": "Tin nhắn này khá dài. Hãy cân nhắc gọi điện hoặc họp trực tiếp.",
		"ar": "هذه رسالة طويلة. فكّر في اتصال هاتفي أو لقاء.",
	},
	"contact.code.subject": {
		"en": "Your SameSide code",
		"es": "Tu código de SameSide",
		"zh": "您的 SameSide 验证码",
		"vi": "Mã SameSide của bạn",
		"ar": "رمز SameSide الخاص بك",
	},
	"contact.code": {
		"en": "Your SameSide code is {code}. It expires in 10 minutes. If you did not ask for it, ignore this message.",
		"es": "Tu código de SameSide es {code}. Vence en 10 minutos. Si no lo pediste, ignora este mensaje.",
		"zh": "您的 SameSide 验证码是 {code}，10 分钟内有效。如果不是您本人申请，请忽略此消息。",
		"vi": "Mã SameSide của bạn là {code}. Mã hết hạn sau 10 phút. Nếu bạn không yêu cầu, hãy bỏ qua tin này.",
		"ar": "رمز SameSide الخاص بك هو {code}. تنتهي صلاحيته بعد 10 دقائق. إن لم تطلبه فتجاهل هذه الرسالة.",
	},
	"invite.email.subject": {
		"en": "{school} invites you to SameSide",
		"es": "{school} te invita a SameSide",
		"zh": "{school} 邀请您加入 SameSide",
		"vi": "{school} mời bạn tham gia SameSide",
		"ar": "تدعوك {school} إلى SameSide",
	},
	"invite.email": {
		"en": "Hello {name},\n\n{school} uses SameSide to tell families what their children do well, to hear what you see at home, and to keep in touch. Get the app and open this link: {link}\n\nOr sign in and enter your invitation code: {code} (valid 30 days). Signing in with this email address ({address}) works too.",
		"es": "Hola {name}:\n\n{school} usa SameSide para contar a las familias lo que sus hijos hacen bien, escuchar lo que ven en casa y mantenerse en contacto. Descarga la app y abre este enlace: {link}\n\nO inicia sesión y escribe tu código de invitación: {code} (válido 30 días). También puedes iniciar sesión con este correo ({address}).",
		"zh": "{name}，您好：\n\n{school} 使用 SameSide 告诉家庭孩子做得好的地方，倾听您在家里看到的情况，并保持联系。下载应用并打开此链接：{link}\n\n或者登录后输入您的邀请码：{code}（30 天内有效）。使用此电子邮件地址（{address}）登录也可以。",
		"vi": "Xin chào {name},\n\n{school} dùng SameSide để cho gia đình biết con em làm tốt điều gì, lắng nghe những gì bạn thấy ở nhà và giữ liên lạc. Tải ứng dụng và mở liên kết này: {link}\n\nHoặc đăng nhập và nhập mã mời của bạn: {code} (có hiệu lực 30 ngày). Đăng nhập bằng địa chỉ email này ({address}) cũng được.",
		"ar": "مرحبًا {name}،\n\nتستخدم {school} تطبيق SameSide لتخبر الأسر بما يُحسنه أطفالهم، ولتسمع ما تراه في البيت، وللبقاء على تواصل. نزّل التطبيق وافتح هذا الرابط: {link}\n\nأو سجّل الدخول وأدخل رمز الدعوة: {code} (صالح 30 يومًا). يمكنك أيضًا تسجيل الدخول بهذا البريد الإلكتروني ({address}).",
	},
	"invite.sms": {
		"en": "{school} uses SameSide to text families about their children. Reply YES to get texts, STOP to opt out. The app: {link}",
		"es": "{school} usa SameSide para enviar textos a las familias sobre sus hijos. Responde YES para recibirlos, STOP para no recibirlos. La app: {link}",
		"zh": "{school} 使用 SameSide 给家庭发送有关孩子的短信。回复 YES 接收短信，回复 STOP 退订。应用：{link}",
		"vi": "{school} dùng SameSide để nhắn tin cho gia đình về con em. Trả lời YES để nhận tin, STOP để ngừng nhận. Ứng dụng: {link}",
		"ar": "تستخدم {school} تطبيق SameSide لمراسلة الأسر عن أطفالهم. أرسل YES لتلقي الرسائل، أو STOP لإيقافها. التطبيق: {link}",
	},
	"invite.sms.code": {
		"en": "{school} invites you to SameSide, to keep in touch about your child. Your code: {code}. The app: {link} Reply YES to get texts, STOP to opt out.",
		"es": "{school} te invita a SameSide para estar en contacto sobre tu hijo. Tu código: {code}. La app: {link} Responde YES para recibir textos, STOP para no recibirlos.",
		"zh": "{school} 邀请您加入 SameSide，方便就孩子的情况保持联系。您的邀请码：{code}。应用：{link} 回复 YES 接收短信，回复 STOP 退订。",
		"vi": "{school} mời bạn tham gia SameSide để giữ liên lạc về con em. Mã của bạn: {code}. Ứng dụng: {link} Trả lời YES để nhận tin, STOP để ngừng nhận.",
		"ar": "تدعوك {school} إلى SameSide للبقاء على تواصل بشأن طفلك. رمزك: {code}. التطبيق: {link} أرسل YES لتلقي الرسائل، أو STOP لإيقافها.",
	},
	// Plural forms (Plural picks one by the language's CLDR rules).
	"digest.subject.one": {
		"en": "Today at {school}: {count} update",
		"es": "Hoy en {school}: {count} novedad",
		"ar": "اليوم في {school}: تحديث واحد",
	},
	"digest.subject.two": {
		"ar": "اليوم في {school}: تحديثان",
	},
	"digest.subject.few": {
		"ar": "اليوم في {school}: {count} تحديثات",
	},
	"digest.subject.many": {
		"ar": "اليوم في {school}: {count} تحديثًا",
	},
	"digest.subject.zero": {
		"ar": "اليوم في {school}: لا تحديثات",
	},
	"digest.subject.other": {
		"en": "Today at {school}: {count} updates",
		"es": "Hoy en {school}: {count} novedades",
		"zh": "{school} 今天有 {count} 条新动态",
		"vi": "Hôm nay tại {school}: {count} tin mới",
		"ar": "اليوم في {school}: {count} تحديث",
	},
	"digest.sms": {
		"en": "SameSide, today at {school} ({count}):",
		"es": "SameSide, hoy en {school} ({count}):",
		"zh": "SameSide，{school} 今天（{count}）：",
		"vi": "SameSide, hôm nay tại {school} ({count}):",
		"ar": "SameSide، اليوم في {school} ({count}):",
	},
	"sms.help": {
		"en": "SameSide: messages from your child's school. Reply STOP to stop texts, START to restart. Msg & data rates may apply.",
		"es": "SameSide: mensajes de la escuela de tu hijo. Responde STOP para dejar de recibir textos, START para volver. Pueden aplicarse tarifas.",
		"zh": "SameSide：来自孩子学校的消息。回复 STOP 停止接收短信，回复 START 重新开始。可能产生短信和流量费用。",
		"vi": "SameSide: tin nhắn từ trường của con bạn. Trả lời STOP để ngừng nhận tin, START để nhận lại. Có thể tính phí tin nhắn và dữ liệu.",
		"ar": "SameSide: رسائل من مدرسة طفلك. أرسل STOP لإيقاف الرسائل، وSTART لإعادتها. قد تُطبّق رسوم الرسائل والبيانات.",
	},
	"sms.stopped": {
		"en": "SameSide: you will get no more texts. Reply START to restart.",
		"es": "SameSide: no recibirás más textos. Responde START para volver.",
		"zh": "SameSide：您将不再收到短信。回复 START 重新开始。",
		"vi": "SameSide: bạn sẽ không nhận thêm tin nhắn. Trả lời START để nhận lại.",
		"ar": "SameSide: لن تصلك رسائل بعد الآن. أرسل START لإعادتها.",
	},
	"sms.started": {
		"en": "SameSide: texts from your child's school are on again. Reply STOP to stop, HELP for help.",
		"es": "SameSide: los textos de la escuela de tu hijo están activos de nuevo. Responde STOP para dejarlos, HELP para ayuda.",
		"zh": "SameSide：已重新开启来自孩子学校的短信。回复 STOP 停止，回复 HELP 获取帮助。",
		"vi": "SameSide: đã bật lại tin nhắn từ trường của con bạn. Trả lời STOP để ngừng, HELP để được trợ giúp.",
		"ar": "SameSide: عادت رسائل مدرسة طفلك. أرسل STOP للإيقاف، وHELP للمساعدة.",
	},
	"sms.message": {
		"en": "SameSide, {sender}: {body}\nReply to this text to answer.",
		"es": "SameSide, {sender}: {body}\nResponde a este texto para contestar.",
		"zh": "SameSide，{sender}：{body}\n直接回复此短信即可作答。",
		"vi": "SameSide, {sender}: {body}\nTrả lời tin nhắn này để hồi âm.",
		"ar": "SameSide، {sender}: {body}\nردّ على هذه الرسالة للإجابة.",
	},
	"sms.notification": {
		"en": "SameSide: {title}. {body}",
		"es": "SameSide: {title}. {body}",
		"zh": "SameSide：{title}。{body}",
		"vi": "SameSide: {title}. {body}",
		"ar": "SameSide: {title}. {body}",
	},
	"email.open": {
		"en": "Open in SameSide",
		"es": "Abrir en SameSide",
		"zh": "在 SameSide 中打开",
		"vi": "Mở trong SameSide",
		"ar": "افتح في SameSide",
	},
	"email.unsubscribe": {
		"en": "Unsubscribe",
		"es": "Cancelar suscripción",
		"zh": "退订",
		"vi": "Hủy đăng ký",
		"ar": "إلغاء الاشتراك",
	},
	"email.message.subject": {
		"en": "{sender}: {subject}",
		"es": "{sender}: {subject}",
		"zh": "{sender}：{subject}",
		"vi": "{sender}: {subject}",
		"ar": "{sender}: {subject}",
	},
	"email.footer": {
		"en": "You get this email from SameSide because {school} has your address. Unsubscribe:",
		"es": "Recibes este correo de SameSide porque {school} tiene tu dirección. Cancelar suscripción:",
		"zh": "您收到此邮件是因为 {school} 登记了您的地址。退订：",
		"vi": "Bạn nhận email này từ SameSide vì {school} có địa chỉ của bạn. Hủy đăng ký:",
		"ar": "وصلك هذا البريد من SameSide لأن لدى {school} عنوانك. لإلغاء الاشتراك:",
	},
	"unsubscribe.done": {
		"en": "You are unsubscribed: this address gets no more email from SameSide, except urgent safety alerts from the school.",
		"es": "Cancelaste la suscripción: esta dirección no recibirá más correos de SameSide, salvo alertas urgentes de seguridad de la escuela.",
		"zh": "您已退订：此地址将不再收到 SameSide 的邮件，学校的紧急安全警报除外。",
		"vi": "Bạn đã hủy đăng ký: địa chỉ này sẽ không nhận thêm email từ SameSide, trừ cảnh báo an toàn khẩn cấp của trường.",
		"ar": "تم إلغاء اشتراكك: لن يصل هذا العنوان أي بريد من SameSide، باستثناء تنبيهات السلامة العاجلة من المدرسة.",
	},
	"unsubscribe.confirm": {
		"en": "Stop email from SameSide to this address?",
		"es": "¿Dejar de recibir correos de SameSide en esta dirección?",
		"zh": "停止 SameSide 向此地址发送邮件？",
		"vi": "Ngừng nhận email từ SameSide ở địa chỉ này?",
		"ar": "إيقاف بريد SameSide إلى هذا العنوان؟",
	},
}

// Text is the catalog text key in the locale's language, filled.
func Text(locale, key string, params map[string]string) string {
	t, ok := catalog[key]
	if !ok {
		return key
	}
	s, ok := t[Lang(locale)]
	if !ok {
		s = t["en"]
	}
	return Fill(s, params)
}

// pluralForms names the CLDR plural categories as catalog key suffixes.
var pluralForms = map[plural.Form]string{plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many", plural.Other: "other"}

// Plural is the catalog text key.FORM for n in the locale's language, the
// form chosen by the language's CLDR plural rules (golang.org/x/text):
// "1 update", "2 updates"; Arabic has six forms, Chinese and Vietnamese
// one. params should hold n as {count}.
func Plural(locale, key string, n int, params map[string]string) string {
	lang := Lang(locale)
	form := pluralForms[plural.Cardinal.MatchPlural(language.Make(lang), n, 0, 0, 0, 0)]
	if s, ok := catalog[key+"."+form][lang]; ok {
		return Fill(s, params)
	}
	if s, ok := catalog[key+".other"][lang]; ok {
		return Fill(s, params)
	}
	return Text(locale, key+".other", params)
}

// Missing lists what a language lacks: a text for a key, or, for a plural
// key, its "other" form or a form the language's rules choose for some
// count up to 1,000. Empty when every family reads every text in its
// language.
func Missing() []string {
	var out []string
	plurals := map[string]bool{}
	for k := range catalog {
		if i := strings.LastIndex(k, "."); i >= 0 && formNames[k[i+1:]] {
			plurals[k[:i]] = true
			continue
		}
		for _, l := range Languages {
			if _, ok := catalog[k][l]; !ok {
				out = append(out, k+": no "+l)
			}
		}
	}
	for k := range plurals {
		for _, l := range Languages {
			need := map[string]bool{"other": true}
			for n := 0; n <= 1000; n++ {
				need[pluralForms[plural.Cardinal.MatchPlural(language.Make(l), n, 0, 0, 0, 0)]] = true
			}
			for f := range need {
				if _, ok := catalog[k+"."+f][l]; !ok {
					out = append(out, k+"."+f+": no "+l)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

var formNames = map[string]bool{"zero": true, "one": true, "two": true, "few": true, "many": true, "other": true}

// Keys lists the catalog's keys (for the completeness test).
func Keys() []string {
	out := make([]string, 0, len(catalog))
	for k := range catalog {
		out = append(out, k)
	}
	return out
}

// Has reports whether key has a text in lang.
func Has(key, lang string) bool {
	_, ok := catalog[key][lang]
	return ok
}

// Catalog is a copy of every text in every language (for the contracts
// that list them for review).
func Catalog() map[string]map[string]string {
	out := make(map[string]map[string]string, len(catalog))
	for k, langs := range catalog {
		out[k] = map[string]string{}
		for l, s := range langs {
			out[k][l] = s
		}
	}
	return out
}
