// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

@file:UseSerializers(OffsetDateTimeSerializer::class)

package org.sameside.push

import java.time.OffsetDateTime

import kotlinx.serialization.*
import kotlinx.serialization.json.*
import kotlinx.serialization.descriptors.*
import kotlinx.serialization.encoding.*

/**
 * An announcement to the guardians in its audience (school, grade or classroom), when it is
 * published. Urgent ones (admins only) ignore quiet hours and go at high priority;
 * data.urgent says which.
 */
@Serializable
data class Announcement (
    val android: ANNOUNCEMENTAndroid,
    val apns: Apns,
    val data: ANNOUNCEMENTData,
    val notification: ANNOUNCEMENTNotification,
    val token: String
)

@Serializable
data class ANNOUNCEMENTAndroid (
    @SerialName("collapse_key")
    val collapseKey: String,

    val notification: AndroidNotification,
    val priority: Priority
)

@Serializable
data class AndroidNotification (
    @SerialName("channel_id")
    val channelID: ChannelID,

    @SerialName("notification_count")
    val notificationCount: Long,

    val tag: String
)

@Serializable
enum class ChannelID(val value: String) {
    @SerialName("announcement") Announcement("announcement"),
    @SerialName("system") ChannelIDSystem("system"),
    @SerialName("coaching") Coaching("coaching"),
    @SerialName("conference") Conference("conference"),
    @SerialName("event") Event("event"),
    @SerialName("new_message") NewMessage("new_message"),
    @SerialName("observation") Observation("observation"),
    @SerialName("positive_note") PositiveNote("positive_note"),
    @SerialName("weekly_reminder") WeeklyReminder("weekly_reminder");
}

@Serializable
enum class Priority(val value: String) {
    @SerialName("high") High("high"),
    @SerialName("normal") Normal("normal");
}

@Serializable
data class Apns (
    val headers: Headers,
    val payload: Payload
)

@Serializable
data class Headers (
    @SerialName("apns-collapse-id")
    val apnsCollapseID: String,

    @SerialName("apns-priority")
    val apnsPriority: ApnsPriority
)

@Serializable
enum class ApnsPriority(val value: String) {
    @SerialName("10") The10("10"),
    @SerialName("5") The5("5");
}

@Serializable
data class Payload (
    val aps: Aps
)

@Serializable
data class Aps (
    /**
     * The recipient's unread messages when sent: Viewer.unreadCount.
     */
    val badge: Long,

    val sound: Sound,

    @SerialName("thread-id")
    val threadID: String
)

@Serializable
enum class Sound(val value: String) {
    @SerialName("default") Default("default");
}

@Serializable
data class ANNOUNCEMENTData (
    @SerialName("announcementId")
    val announcementID: String,

    val category: PurpleCategory,
    val deepLink: String,

    @SerialName("notificationId")
    val notificationID: String,

    val type: PurpleCategory,
    val urgent: Urgent
)

@Serializable
enum class PurpleCategory(val value: String) {
    @SerialName("ANNOUNCEMENT") Announcement("ANNOUNCEMENT");
}

@Serializable
enum class Urgent(val value: String) {
    @SerialName("false") False("false"),
    @SerialName("true") True("true");
}

/**
 * Localized by the recipient's locale (English and Spanish).
 */
@Serializable
data class ANNOUNCEMENTNotification (
    val body: String,
    val title: String
)

/**
 * A parent-teacher conference: kind BOOKED, CHANGED or CANCELLED (to the child's guardians
 * and the teacher, whoever made the change included: their confirmation), REMINDER_DAY and
 * REMINDER_HOUR (to the guardians, 24 hours and 1 hour before; called off when the booking
 * is cancelled or moved). The text gives the time in the recipient's time zone;
 * data.startsAt is RFC 3339 UTC. Collapse key and thread id: the booking.
 */
@Serializable
data class Conference (
    val android: CONFERENCEAndroid,
    val apns: Apns,
    val data: CONFERENCEData,
    val notification: ANNOUNCEMENTNotification,
    val token: String
)

@Serializable
data class CONFERENCEAndroid (
    @SerialName("collapse_key")
    val collapseKey: String,

    val notification: AndroidNotification,
    val priority: Priority
)

@Serializable
data class CONFERENCEData (
    @SerialName("bookingId")
    val bookingID: String,

    val category: FluffyCategory,
    val deepLink: String,
    val kind: PurpleKind,

    @SerialName("notificationId")
    val notificationID: String,

    @SerialName("roundId")
    val roundID: String,

    @SerialName("slotId")
    val slotID: String,

    val startsAt: OffsetDateTime,
    val type: FluffyCategory
)

@Serializable
enum class FluffyCategory(val value: String) {
    @SerialName("CONFERENCE") Conference("CONFERENCE");
}

@Serializable
enum class PurpleKind(val value: String) {
    @SerialName("BOOKED") Booked("BOOKED"),
    @SerialName("CANCELLED") Cancelled("CANCELLED"),
    @SerialName("CHANGED") Changed("CHANGED"),
    @SerialName("REMINDER_DAY") ReminderDay("REMINDER_DAY"),
    @SerialName("REMINDER_HOUR") ReminderHour("REMINDER_HOUR");
}

/**
 * After a conference: SUMMARY (to the guardians of the household that met: the teacher
 * shared a summary and next steps), CHECK_IN (to that household and the summary's author,
 * at the summary's checkInAt, 30 days after it by default; called off once every step is
 * done), ACKNOWLEDGED (to the author: the family acknowledged the summary), ANSWERED (to
 * the other side: an addition or a check-in answer). The other household of a separated
 * family is never told. Collapse key and thread id: the summary.
 */
@Serializable
data class ConferenceFollowUp (
    val android: CONFERENCEFOLLOWUPAndroid,
    val apns: Apns,
    val data: CONFERENCEFOLLOWUPData,
    val notification: ANNOUNCEMENTNotification,
    val token: String
)

@Serializable
data class CONFERENCEFOLLOWUPAndroid (
    @SerialName("collapse_key")
    val collapseKey: String,

    val notification: AndroidNotification,
    val priority: Priority
)

@Serializable
data class CONFERENCEFOLLOWUPData (
    val category: FluffyCategory,
    val deepLink: String,
    val kind: FluffyKind,

    @SerialName("notificationId")
    val notificationID: String,

    @SerialName("studentId")
    val studentID: String,

    @SerialName("summaryId")
    val summaryID: String,

    val type: PurpleType
)

@Serializable
enum class FluffyKind(val value: String) {
    @SerialName("ACKNOWLEDGED") Acknowledged("ACKNOWLEDGED"),
    @SerialName("ANSWERED") Answered("ANSWERED"),
    @SerialName("CHECK_IN") CheckIn("CHECK_IN"),
    @SerialName("SUMMARY") Summary("SUMMARY");
}

@Serializable
enum class PurpleType(val value: String) {
    @SerialName("CONFERENCE_FOLLOW_UP") ConferenceFollowUp("CONFERENCE_FOLLOW_UP");
}

/**
 * A family's request to meet with the school: REQUESTED (to the teacher and the school's
 * admins), PROPOSED (to the family, staff proposed times), SCHEDULED (to staff, the family
 * accepted a time), CANCELLED (to the others), REMINDER_DAY and REMINDER_HOUR (to the
 * family, called off if the meeting is cancelled). data.startsAt (RFC 3339 UTC) comes with
 * SCHEDULED and the reminders.
 */
@Serializable
data class ConferenceRequest (
    val android: CONFERENCEREQUESTAndroid,
    val apns: Apns,
    val data: CONFERENCEREQUESTData,
    val notification: ANNOUNCEMENTNotification,
    val token: String
)

@Serializable
data class CONFERENCEREQUESTAndroid (
    @SerialName("collapse_key")
    val collapseKey: String,

    val notification: AndroidNotification,
    val priority: Priority
)

@Serializable
data class CONFERENCEREQUESTData (
    val category: FluffyCategory,
    val deepLink: String,
    val kind: TentacledKind,

    @SerialName("notificationId")
    val notificationID: String,

    @SerialName("requestId")
    val requestID: String,

    val startsAt: OffsetDateTime? = null,
    val type: FluffyType
)

@Serializable
enum class TentacledKind(val value: String) {
    @SerialName("CANCELLED") Cancelled("CANCELLED"),
    @SerialName("PROPOSED") Proposed("PROPOSED"),
    @SerialName("REMINDER_DAY") ReminderDay("REMINDER_DAY"),
    @SerialName("REMINDER_HOUR") ReminderHour("REMINDER_HOUR"),
    @SerialName("REQUESTED") Requested("REQUESTED"),
    @SerialName("SCHEDULED") Scheduled("SCHEDULED");
}

@Serializable
enum class FluffyType(val value: String) {
    @SerialName("CONFERENCE_REQUEST") ConferenceRequest("CONFERENCE_REQUEST");
}

/**
 * A parent-education event: PROMOTED (to a family moved off the waitlist) and REMINDER_DAY
 * (to families going, 24 hours before; called off when they cancel). data.startsAt is RFC
 * 3339 UTC; the text gives it in the recipient's zone.
 */
@Serializable
data class Event (
    val android: EVENTAndroid,
    val apns: Apns,
    val data: EVENTData,
    val notification: ANNOUNCEMENTNotification,
    val token: String
)

@Serializable
data class EVENTAndroid (
    @SerialName("collapse_key")
    val collapseKey: String,

    val notification: AndroidNotification,
    val priority: Priority
)

@Serializable
data class EVENTData (
    val category: TentacledCategory,
    val deepLink: String,

    @SerialName("eventId")
    val eventID: String,

    val kind: StickyKind,

    @SerialName("notificationId")
    val notificationID: String,

    val startsAt: OffsetDateTime,
    val type: TentacledCategory
)

@Serializable
enum class TentacledCategory(val value: String) {
    @SerialName("EVENT") Event("EVENT");
}

@Serializable
enum class StickyKind(val value: String) {
    @SerialName("PROMOTED") Promoted("PROMOTED"),
    @SerialName("REMINDER_DAY") ReminderDay("REMINDER_DAY");
}

/**
 * A guardian shared what they see at home (to the child's teachers).
 */
@Serializable
data class HomeInsight (
    val android: HOMEINSIGHTAndroid,
    val apns: Apns,
    val data: HOMEINSIGHTData,
    val notification: ANNOUNCEMENTNotification,
    val token: String
)

@Serializable
data class HOMEINSIGHTAndroid (
    @SerialName("collapse_key")
    val collapseKey: String,

    val notification: AndroidNotification,
    val priority: Priority
)

@Serializable
data class HOMEINSIGHTData (
    val category: StickyCategory,
    val deepLink: String,

    @SerialName("homeInsightId")
    val homeInsightID: String,

    @SerialName("notificationId")
    val notificationID: String,

    @SerialName("studentId")
    val studentID: String,

    val type: TentacledType
)

@Serializable
enum class StickyCategory(val value: String) {
    @SerialName("OBSERVATION") Observation("OBSERVATION");
}

@Serializable
enum class TentacledType(val value: String) {
    @SerialName("HOME_INSIGHT") HomeInsight("HOME_INSIGHT");
}

/**
 * A new message in a conversation (to each participant but the sender who has not muted
 * it). Collapse key and thread id are the conversation; the body does not carry the message
 * text.
 */
@Serializable
data class NewMessage (
    val android: NEWMESSAGEAndroid,
    val apns: Apns,
    val data: NEWMESSAGEData,
    val notification: ANNOUNCEMENTNotification,
    val token: String
)

@Serializable
data class NEWMESSAGEAndroid (
    @SerialName("collapse_key")
    val collapseKey: String,

    val notification: AndroidNotification,
    val priority: Priority
)

@Serializable
data class NEWMESSAGEData (
    val category: IndigoCategory,

    @SerialName("conversationId")
    val conversationID: String,

    val deepLink: String,

    @SerialName("messageId")
    val messageID: String,

    @SerialName("notificationId")
    val notificationID: String,

    val seq: String,
    val type: IndigoCategory
)

@Serializable
enum class IndigoCategory(val value: String) {
    @SerialName("NEW_MESSAGE") NewMessage("NEW_MESSAGE");
}

/**
 * A guardian replied to an observation (to its author).
 */
@Serializable
data class ObservationResponse (
    val android: OBSERVATIONRESPONSEAndroid,
    val apns: Apns,
    val data: OBSERVATIONRESPONSEData,
    val notification: ANNOUNCEMENTNotification,
    val token: String
)

@Serializable
data class OBSERVATIONRESPONSEAndroid (
    @SerialName("collapse_key")
    val collapseKey: String,

    val notification: AndroidNotification,
    val priority: Priority
)

@Serializable
data class OBSERVATIONRESPONSEData (
    val category: StickyCategory,
    val deepLink: String,

    @SerialName("notificationId")
    val notificationID: String,

    @SerialName("observationId")
    val observationID: String,

    @SerialName("responseId")
    val responseID: String,

    @SerialName("studentId")
    val studentID: String,

    val type: StickyType
)

@Serializable
enum class StickyType(val value: String) {
    @SerialName("OBSERVATION_RESPONSE") ObservationResponse("OBSERVATION_RESPONSE");
}

/**
 * An observation or positive note was shared with the family (one push per guardian device).
 */
@Serializable
data class ObservationShared (
    val android: OBSERVATIONSHAREDAndroid,
    val apns: Apns,
    val data: OBSERVATIONSHAREDData,
    val notification: ANNOUNCEMENTNotification,
    val token: String
)

@Serializable
data class OBSERVATIONSHAREDAndroid (
    @SerialName("collapse_key")
    val collapseKey: String,

    val notification: AndroidNotification,
    val priority: Priority
)

@Serializable
data class OBSERVATIONSHAREDData (
    val category: IndecentCategory,
    val deepLink: String,
    val kind: IndigoKind,

    @SerialName("notificationId")
    val notificationID: String,

    @SerialName("observationId")
    val observationID: String,

    @SerialName("studentId")
    val studentID: String,

    val type: IndigoType
)

@Serializable
enum class IndecentCategory(val value: String) {
    @SerialName("OBSERVATION") Observation("OBSERVATION"),
    @SerialName("POSITIVE_NOTE") PositiveNote("POSITIVE_NOTE");
}

@Serializable
enum class IndigoKind(val value: String) {
    @SerialName("CONCERN") Concern("CONCERN"),
    @SerialName("OBSERVATION") Observation("OBSERVATION"),
    @SerialName("POSITIVE") Positive("POSITIVE");
}

@Serializable
enum class IndigoType(val value: String) {
    @SerialName("OBSERVATION_SHARED") ObservationShared("OBSERVATION_SHARED");
}

/**
 * A teacher's weekly reminder (Monday from 08:00 in the school's time zone, category
 * WEEKLY_REMINDER, which the teacher turns off to opt out): the students they teach with no
 * shared positive note in the last seven days, up to five first names in the body;
 * data.count is how many, data.week the Monday (YYYY-MM-DD). Sent only when there is at
 * least one.
 */
@Serializable
data class PositiveNoteReminder (
    val android: POSITIVENOTEREMINDERAndroid,
    val apns: Apns,
    val data: POSITIVENOTEREMINDERData,
    val notification: ANNOUNCEMENTNotification,
    val token: String
)

@Serializable
data class POSITIVENOTEREMINDERAndroid (
    @SerialName("collapse_key")
    val collapseKey: PurpleCollapseKey,

    val notification: AndroidNotification,
    val priority: Priority
)

@Serializable
enum class PurpleCollapseKey(val value: String) {
    @SerialName("weekly-reminder") WeeklyReminder("weekly-reminder");
}

@Serializable
data class POSITIVENOTEREMINDERData (
    val category: HilariousCategory,
    val count: String,
    val deepLink: PurpleDeepLink,

    @SerialName("notificationId")
    val notificationID: String,

    val type: IndecentType,
    val week: String
)

@Serializable
enum class HilariousCategory(val value: String) {
    @SerialName("WEEKLY_REMINDER") WeeklyReminder("WEEKLY_REMINDER");
}

@Serializable
enum class PurpleDeepLink(val value: String) {
    @SerialName("sameside://coaching/positive-notes") SamesideCoachingPositiveNotes("sameside://coaching/positive-notes");
}

@Serializable
enum class IndecentType(val value: String) {
    @SerialName("POSITIVE_NOTE_REMINDER") PositiveNoteReminder("POSITIVE_NOTE_REMINDER");
}

/**
 * A teacher sent a concern draft for review (to the school's admins).
 */
@Serializable
data class ReviewRequested (
    val android: REVIEWREQUESTEDAndroid,
    val apns: Apns,
    val data: REVIEWREQUESTEDData,
    val notification: ANNOUNCEMENTNotification,
    val token: String
)

@Serializable
data class REVIEWREQUESTEDAndroid (
    @SerialName("collapse_key")
    val collapseKey: String,

    val notification: AndroidNotification,
    val priority: Priority
)

@Serializable
data class REVIEWREQUESTEDData (
    val category: AmbitiousCategory,
    val deepLink: String,

    @SerialName("notificationId")
    val notificationID: String,

    @SerialName("observationId")
    val observationID: String,

    val type: HilariousType
)

@Serializable
enum class AmbitiousCategory(val value: String) {
    @SerialName("COACHING") Coaching("COACHING");
}

@Serializable
enum class HilariousType(val value: String) {
    @SerialName("REVIEW_REQUESTED") ReviewRequested("REVIEW_REQUESTED");
}

/**
 * A reviewer returned a concern draft with a comment (to its author).
 */
@Serializable
data class ReviewReturned (
    val android: REVIEWRETURNEDAndroid,
    val apns: Apns,
    val data: REVIEWRETURNEDData,
    val notification: ANNOUNCEMENTNotification,
    val token: String
)

@Serializable
data class REVIEWRETURNEDAndroid (
    @SerialName("collapse_key")
    val collapseKey: String,

    val notification: AndroidNotification,
    val priority: Priority
)

@Serializable
data class REVIEWRETURNEDData (
    val category: AmbitiousCategory,
    val deepLink: String,

    @SerialName("notificationId")
    val notificationID: String,

    @SerialName("observationId")
    val observationID: String,

    val type: AmbitiousType
)

@Serializable
enum class AmbitiousType(val value: String) {
    @SerialName("REVIEW_RETURNED") ReviewReturned("REVIEW_RETURNED");
}

/**
 * sendTestNotification sends it at once (urgent, category SYSTEM). The app opens
 * notification settings.
 */
@Serializable
data class TESTATestNotificationTheUserAskedForSendTestNotification (
    val android: TESTATestNotificationTheUserAskedForSendTestNotificationAndroid,
    val apns: Apns,
    val data: TESTATestNotificationTheUserAskedForSendTestNotificationData,
    val notification: ANNOUNCEMENTNotification,
    val token: String
)

@Serializable
data class TESTATestNotificationTheUserAskedForSendTestNotificationAndroid (
    @SerialName("collapse_key")
    val collapseKey: FluffyCollapseKey,

    val notification: AndroidNotification,
    val priority: Priority
)

@Serializable
enum class FluffyCollapseKey(val value: String) {
    @SerialName("test") Test("test");
}

@Serializable
data class TESTATestNotificationTheUserAskedForSendTestNotificationData (
    val category: CunningCategory,
    val deepLink: FluffyDeepLink,

    @SerialName("notificationId")
    val notificationID: String,

    val type: CunningType
)

@Serializable
enum class CunningCategory(val value: String) {
    @SerialName("ANNOUNCEMENT") Announcement("ANNOUNCEMENT"),
    @SerialName("SYSTEM") CategorySYSTEM("SYSTEM"),
    @SerialName("COACHING") Coaching("COACHING"),
    @SerialName("CONFERENCE") Conference("CONFERENCE"),
    @SerialName("EVENT") Event("EVENT"),
    @SerialName("NEW_MESSAGE") NewMessage("NEW_MESSAGE"),
    @SerialName("OBSERVATION") Observation("OBSERVATION"),
    @SerialName("POSITIVE_NOTE") PositiveNote("POSITIVE_NOTE");
}

@Serializable
enum class FluffyDeepLink(val value: String) {
    @SerialName("sameside://settings/notifications") SamesideSettingsNotifications("sameside://settings/notifications");
}

@Serializable
enum class CunningType(val value: String) {
    @SerialName("TEST") Test("TEST");
}

/**
 * A guardian answered "we tried it" to a note's suggestion to try at home (to the note's
 * author). Open the observation to read how it went (Observation.triedAtHome).
 */
@Serializable
data class TriedAtHome (
    val android: TRIEDATHOMEAndroid,
    val apns: Apns,
    val data: TRIEDATHOMEData,
    val notification: ANNOUNCEMENTNotification,
    val token: String
)

@Serializable
data class TRIEDATHOMEAndroid (
    @SerialName("collapse_key")
    val collapseKey: String,

    val notification: AndroidNotification,
    val priority: Priority
)

@Serializable
data class TRIEDATHOMEData (
    val category: StickyCategory,
    val deepLink: String,

    @SerialName("notificationId")
    val notificationID: String,

    @SerialName("observationId")
    val observationID: String,

    @SerialName("studentId")
    val studentID: String,

    val type: MagentaType
)

@Serializable
enum class MagentaType(val value: String) {
    @SerialName("TRIED_AT_HOME") TriedAtHome("TRIED_AT_HOME");
}

object OffsetDateTimeSerializer : KSerializer<OffsetDateTime> {
    override val descriptor: SerialDescriptor = PrimitiveSerialDescriptor("OffsetDateTime", PrimitiveKind.STRING)
    override fun deserialize(decoder: Decoder): OffsetDateTime = OffsetDateTime.parse(decoder.decodeString())
    override fun serialize(encoder: Encoder, value: OffsetDateTime) {
        encoder.encodeString(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(value))
    }
}

