// This file was generated from JSON Schema using quicktype, do not modify it directly.
// To parse the JSON, add this file to your project and do:
//
//   let announcement = try Announcement(json)
//   let conference = try Conference(json)
//   let conferenceFollowUp = try ConferenceFollowUp(json)
//   let conferenceRequest = try ConferenceRequest(json)
//   let event = try Event(json)
//   let homeInsight = try HomeInsight(json)
//   let newMessage = try NewMessage(json)
//   let observationResponse = try ObservationResponse(json)
//   let observationShared = try ObservationShared(json)
//   let positiveNoteReminder = try PositiveNoteReminder(json)
//   let reviewRequested = try ReviewRequested(json)
//   let reviewReturned = try ReviewReturned(json)
//   let tESTATestNotificationTheUserAskedForSendTestNotification = try TESTATestNotificationTheUserAskedForSendTestNotification(json)
//   let triedAtHome = try TriedAtHome(json)

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

import Foundation

/// An announcement to the guardians in its audience (school, grade or classroom), when it is
/// published. Urgent ones (admins only) ignore quiet hours and go at high priority;
/// data.urgent says which.
// MARK: - Announcement
public struct Announcement: Codable {
    public let android: ANNOUNCEMENTAndroid
    public let apns: Apns
    public let data: ANNOUNCEMENTData
    public let notification: ANNOUNCEMENTNotification
    public let token: String

    public enum CodingKeys: String, CodingKey {
        case android = "android"
        case apns = "apns"
        case data = "data"
        case notification = "notification"
        case token = "token"
    }

    public init(android: ANNOUNCEMENTAndroid, apns: Apns, data: ANNOUNCEMENTData, notification: ANNOUNCEMENTNotification, token: String) {
        self.android = android
        self.apns = apns
        self.data = data
        self.notification = notification
        self.token = token
    }
}

// MARK: Announcement convenience initializers and mutators

public extension Announcement {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(Announcement.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        android: ANNOUNCEMENTAndroid? = nil,
        apns: Apns? = nil,
        data: ANNOUNCEMENTData? = nil,
        notification: ANNOUNCEMENTNotification? = nil,
        token: String? = nil
    ) -> Announcement {
        return Announcement(
            android: android ?? self.android,
            apns: apns ?? self.apns,
            data: data ?? self.data,
            notification: notification ?? self.notification,
            token: token ?? self.token
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - ANNOUNCEMENTAndroid
public struct ANNOUNCEMENTAndroid: Codable {
    public let collapseKey: String
    public let notification: AndroidNotification
    public let priority: Priority

    public enum CodingKeys: String, CodingKey {
        case collapseKey = "collapse_key"
        case notification = "notification"
        case priority = "priority"
    }

    public init(collapseKey: String, notification: AndroidNotification, priority: Priority) {
        self.collapseKey = collapseKey
        self.notification = notification
        self.priority = priority
    }
}

// MARK: ANNOUNCEMENTAndroid convenience initializers and mutators

public extension ANNOUNCEMENTAndroid {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ANNOUNCEMENTAndroid.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        collapseKey: String? = nil,
        notification: AndroidNotification? = nil,
        priority: Priority? = nil
    ) -> ANNOUNCEMENTAndroid {
        return ANNOUNCEMENTAndroid(
            collapseKey: collapseKey ?? self.collapseKey,
            notification: notification ?? self.notification,
            priority: priority ?? self.priority
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - AndroidNotification
public struct AndroidNotification: Codable {
    public let channelID: ChannelID
    public let notificationCount: Int
    public let tag: String

    public enum CodingKeys: String, CodingKey {
        case channelID = "channel_id"
        case notificationCount = "notification_count"
        case tag = "tag"
    }

    public init(channelID: ChannelID, notificationCount: Int, tag: String) {
        self.channelID = channelID
        self.notificationCount = notificationCount
        self.tag = tag
    }
}

// MARK: AndroidNotification convenience initializers and mutators

public extension AndroidNotification {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(AndroidNotification.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        channelID: ChannelID? = nil,
        notificationCount: Int? = nil,
        tag: String? = nil
    ) -> AndroidNotification {
        return AndroidNotification(
            channelID: channelID ?? self.channelID,
            notificationCount: notificationCount ?? self.notificationCount,
            tag: tag ?? self.tag
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum ChannelID: String, Codable {
    case announcement = "announcement"
    case coaching = "coaching"
    case conference = "conference"
    case event = "event"
    case newMessage = "new_message"
    case observation = "observation"
    case positiveNote = "positive_note"
    case system = "system"
    case weeklyReminder = "weekly_reminder"
}

public enum Priority: String, Codable {
    case high = "high"
    case normal = "normal"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - Apns
public struct Apns: Codable {
    public let headers: Headers
    public let payload: Payload

    public enum CodingKeys: String, CodingKey {
        case headers = "headers"
        case payload = "payload"
    }

    public init(headers: Headers, payload: Payload) {
        self.headers = headers
        self.payload = payload
    }
}

// MARK: Apns convenience initializers and mutators

public extension Apns {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(Apns.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        headers: Headers? = nil,
        payload: Payload? = nil
    ) -> Apns {
        return Apns(
            headers: headers ?? self.headers,
            payload: payload ?? self.payload
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - Headers
public struct Headers: Codable {
    public let apnsCollapseID: String
    public let apnsPriority: ApnsPriority

    public enum CodingKeys: String, CodingKey {
        case apnsCollapseID = "apns-collapse-id"
        case apnsPriority = "apns-priority"
    }

    public init(apnsCollapseID: String, apnsPriority: ApnsPriority) {
        self.apnsCollapseID = apnsCollapseID
        self.apnsPriority = apnsPriority
    }
}

// MARK: Headers convenience initializers and mutators

public extension Headers {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(Headers.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        apnsCollapseID: String? = nil,
        apnsPriority: ApnsPriority? = nil
    ) -> Headers {
        return Headers(
            apnsCollapseID: apnsCollapseID ?? self.apnsCollapseID,
            apnsPriority: apnsPriority ?? self.apnsPriority
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum ApnsPriority: String, Codable {
    case the10 = "10"
    case the5 = "5"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - Payload
public struct Payload: Codable {
    public let aps: Aps

    public enum CodingKeys: String, CodingKey {
        case aps = "aps"
    }

    public init(aps: Aps) {
        self.aps = aps
    }
}

// MARK: Payload convenience initializers and mutators

public extension Payload {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(Payload.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        aps: Aps? = nil
    ) -> Payload {
        return Payload(
            aps: aps ?? self.aps
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - Aps
public struct Aps: Codable {
    /// The recipient's unread messages when sent: Viewer.unreadCount.
    public let badge: Int
    public let sound: Sound
    public let threadID: String

    public enum CodingKeys: String, CodingKey {
        case badge = "badge"
        case sound = "sound"
        case threadID = "thread-id"
    }

    public init(badge: Int, sound: Sound, threadID: String) {
        self.badge = badge
        self.sound = sound
        self.threadID = threadID
    }
}

// MARK: Aps convenience initializers and mutators

public extension Aps {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(Aps.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        badge: Int? = nil,
        sound: Sound? = nil,
        threadID: String? = nil
    ) -> Aps {
        return Aps(
            badge: badge ?? self.badge,
            sound: sound ?? self.sound,
            threadID: threadID ?? self.threadID
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum Sound: String, Codable {
    case soundDefault = "default"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - ANNOUNCEMENTData
public struct ANNOUNCEMENTData: Codable {
    public let announcementID: String
    public let category: PurpleCategory
    public let deepLink: String
    public let notificationID: String
    public let type: PurpleCategory
    public let urgent: Urgent

    public enum CodingKeys: String, CodingKey {
        case announcementID = "announcementId"
        case category = "category"
        case deepLink = "deepLink"
        case notificationID = "notificationId"
        case type = "type"
        case urgent = "urgent"
    }

    public init(announcementID: String, category: PurpleCategory, deepLink: String, notificationID: String, type: PurpleCategory, urgent: Urgent) {
        self.announcementID = announcementID
        self.category = category
        self.deepLink = deepLink
        self.notificationID = notificationID
        self.type = type
        self.urgent = urgent
    }
}

// MARK: ANNOUNCEMENTData convenience initializers and mutators

public extension ANNOUNCEMENTData {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ANNOUNCEMENTData.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        announcementID: String? = nil,
        category: PurpleCategory? = nil,
        deepLink: String? = nil,
        notificationID: String? = nil,
        type: PurpleCategory? = nil,
        urgent: Urgent? = nil
    ) -> ANNOUNCEMENTData {
        return ANNOUNCEMENTData(
            announcementID: announcementID ?? self.announcementID,
            category: category ?? self.category,
            deepLink: deepLink ?? self.deepLink,
            notificationID: notificationID ?? self.notificationID,
            type: type ?? self.type,
            urgent: urgent ?? self.urgent
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum PurpleCategory: String, Codable {
    case announcement = "ANNOUNCEMENT"
}

public enum Urgent: String, Codable {
    case urgentFalse = "false"
    case urgentTrue = "true"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

/// Localized by the recipient's locale (English and Spanish).
// MARK: - ANNOUNCEMENTNotification
public struct ANNOUNCEMENTNotification: Codable {
    public let body: String
    public let title: String

    public enum CodingKeys: String, CodingKey {
        case body = "body"
        case title = "title"
    }

    public init(body: String, title: String) {
        self.body = body
        self.title = title
    }
}

// MARK: ANNOUNCEMENTNotification convenience initializers and mutators

public extension ANNOUNCEMENTNotification {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ANNOUNCEMENTNotification.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        body: String? = nil,
        title: String? = nil
    ) -> ANNOUNCEMENTNotification {
        return ANNOUNCEMENTNotification(
            body: body ?? self.body,
            title: title ?? self.title
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

/// A parent-teacher conference: kind BOOKED, CHANGED or CANCELLED (to the child's guardians
/// and the teacher, whoever made the change included: their confirmation), REMINDER_DAY and
/// REMINDER_HOUR (to the guardians, 24 hours and 1 hour before; called off when the booking
/// is cancelled or moved). The text gives the time in the recipient's time zone;
/// data.startsAt is RFC 3339 UTC. Collapse key and thread id: the booking.
// MARK: - Conference
public struct Conference: Codable {
    public let android: CONFERENCEAndroid
    public let apns: Apns
    public let data: CONFERENCEData
    public let notification: ANNOUNCEMENTNotification
    public let token: String

    public enum CodingKeys: String, CodingKey {
        case android = "android"
        case apns = "apns"
        case data = "data"
        case notification = "notification"
        case token = "token"
    }

    public init(android: CONFERENCEAndroid, apns: Apns, data: CONFERENCEData, notification: ANNOUNCEMENTNotification, token: String) {
        self.android = android
        self.apns = apns
        self.data = data
        self.notification = notification
        self.token = token
    }
}

// MARK: Conference convenience initializers and mutators

public extension Conference {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(Conference.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        android: CONFERENCEAndroid? = nil,
        apns: Apns? = nil,
        data: CONFERENCEData? = nil,
        notification: ANNOUNCEMENTNotification? = nil,
        token: String? = nil
    ) -> Conference {
        return Conference(
            android: android ?? self.android,
            apns: apns ?? self.apns,
            data: data ?? self.data,
            notification: notification ?? self.notification,
            token: token ?? self.token
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - CONFERENCEAndroid
public struct CONFERENCEAndroid: Codable {
    public let collapseKey: String
    public let notification: AndroidNotification
    public let priority: Priority

    public enum CodingKeys: String, CodingKey {
        case collapseKey = "collapse_key"
        case notification = "notification"
        case priority = "priority"
    }

    public init(collapseKey: String, notification: AndroidNotification, priority: Priority) {
        self.collapseKey = collapseKey
        self.notification = notification
        self.priority = priority
    }
}

// MARK: CONFERENCEAndroid convenience initializers and mutators

public extension CONFERENCEAndroid {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(CONFERENCEAndroid.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        collapseKey: String? = nil,
        notification: AndroidNotification? = nil,
        priority: Priority? = nil
    ) -> CONFERENCEAndroid {
        return CONFERENCEAndroid(
            collapseKey: collapseKey ?? self.collapseKey,
            notification: notification ?? self.notification,
            priority: priority ?? self.priority
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - CONFERENCEData
public struct CONFERENCEData: Codable {
    public let bookingID: String
    public let category: FluffyCategory
    public let deepLink: String
    public let kind: PurpleKind
    public let notificationID: String
    public let roundID: String
    public let slotID: String
    public let startsAt: Date
    public let type: FluffyCategory

    public enum CodingKeys: String, CodingKey {
        case bookingID = "bookingId"
        case category = "category"
        case deepLink = "deepLink"
        case kind = "kind"
        case notificationID = "notificationId"
        case roundID = "roundId"
        case slotID = "slotId"
        case startsAt = "startsAt"
        case type = "type"
    }

    public init(bookingID: String, category: FluffyCategory, deepLink: String, kind: PurpleKind, notificationID: String, roundID: String, slotID: String, startsAt: Date, type: FluffyCategory) {
        self.bookingID = bookingID
        self.category = category
        self.deepLink = deepLink
        self.kind = kind
        self.notificationID = notificationID
        self.roundID = roundID
        self.slotID = slotID
        self.startsAt = startsAt
        self.type = type
    }
}

// MARK: CONFERENCEData convenience initializers and mutators

public extension CONFERENCEData {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(CONFERENCEData.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        bookingID: String? = nil,
        category: FluffyCategory? = nil,
        deepLink: String? = nil,
        kind: PurpleKind? = nil,
        notificationID: String? = nil,
        roundID: String? = nil,
        slotID: String? = nil,
        startsAt: Date? = nil,
        type: FluffyCategory? = nil
    ) -> CONFERENCEData {
        return CONFERENCEData(
            bookingID: bookingID ?? self.bookingID,
            category: category ?? self.category,
            deepLink: deepLink ?? self.deepLink,
            kind: kind ?? self.kind,
            notificationID: notificationID ?? self.notificationID,
            roundID: roundID ?? self.roundID,
            slotID: slotID ?? self.slotID,
            startsAt: startsAt ?? self.startsAt,
            type: type ?? self.type
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum FluffyCategory: String, Codable {
    case conference = "CONFERENCE"
}

public enum PurpleKind: String, Codable {
    case booked = "BOOKED"
    case cancelled = "CANCELLED"
    case changed = "CHANGED"
    case reminderDay = "REMINDER_DAY"
    case reminderHour = "REMINDER_HOUR"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

/// After a conference: SUMMARY (to the guardians of the household that met: the teacher
/// shared a summary and next steps), CHECK_IN (to that household and the summary's author,
/// at the summary's checkInAt, 30 days after it by default; called off once every step is
/// done), ACKNOWLEDGED (to the author: the family acknowledged the summary), ANSWERED (to
/// the other side: an addition or a check-in answer). The other household of a separated
/// family is never told. Collapse key and thread id: the summary.
// MARK: - ConferenceFollowUp
public struct ConferenceFollowUp: Codable {
    public let android: CONFERENCEFOLLOWUPAndroid
    public let apns: Apns
    public let data: CONFERENCEFOLLOWUPData
    public let notification: ANNOUNCEMENTNotification
    public let token: String

    public enum CodingKeys: String, CodingKey {
        case android = "android"
        case apns = "apns"
        case data = "data"
        case notification = "notification"
        case token = "token"
    }

    public init(android: CONFERENCEFOLLOWUPAndroid, apns: Apns, data: CONFERENCEFOLLOWUPData, notification: ANNOUNCEMENTNotification, token: String) {
        self.android = android
        self.apns = apns
        self.data = data
        self.notification = notification
        self.token = token
    }
}

// MARK: ConferenceFollowUp convenience initializers and mutators

public extension ConferenceFollowUp {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ConferenceFollowUp.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        android: CONFERENCEFOLLOWUPAndroid? = nil,
        apns: Apns? = nil,
        data: CONFERENCEFOLLOWUPData? = nil,
        notification: ANNOUNCEMENTNotification? = nil,
        token: String? = nil
    ) -> ConferenceFollowUp {
        return ConferenceFollowUp(
            android: android ?? self.android,
            apns: apns ?? self.apns,
            data: data ?? self.data,
            notification: notification ?? self.notification,
            token: token ?? self.token
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - CONFERENCEFOLLOWUPAndroid
public struct CONFERENCEFOLLOWUPAndroid: Codable {
    public let collapseKey: String
    public let notification: AndroidNotification
    public let priority: Priority

    public enum CodingKeys: String, CodingKey {
        case collapseKey = "collapse_key"
        case notification = "notification"
        case priority = "priority"
    }

    public init(collapseKey: String, notification: AndroidNotification, priority: Priority) {
        self.collapseKey = collapseKey
        self.notification = notification
        self.priority = priority
    }
}

// MARK: CONFERENCEFOLLOWUPAndroid convenience initializers and mutators

public extension CONFERENCEFOLLOWUPAndroid {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(CONFERENCEFOLLOWUPAndroid.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        collapseKey: String? = nil,
        notification: AndroidNotification? = nil,
        priority: Priority? = nil
    ) -> CONFERENCEFOLLOWUPAndroid {
        return CONFERENCEFOLLOWUPAndroid(
            collapseKey: collapseKey ?? self.collapseKey,
            notification: notification ?? self.notification,
            priority: priority ?? self.priority
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - CONFERENCEFOLLOWUPData
public struct CONFERENCEFOLLOWUPData: Codable {
    public let category: FluffyCategory
    public let deepLink: String
    public let kind: FluffyKind
    public let notificationID: String
    public let studentID: String
    public let summaryID: String
    public let type: PurpleType

    public enum CodingKeys: String, CodingKey {
        case category = "category"
        case deepLink = "deepLink"
        case kind = "kind"
        case notificationID = "notificationId"
        case studentID = "studentId"
        case summaryID = "summaryId"
        case type = "type"
    }

    public init(category: FluffyCategory, deepLink: String, kind: FluffyKind, notificationID: String, studentID: String, summaryID: String, type: PurpleType) {
        self.category = category
        self.deepLink = deepLink
        self.kind = kind
        self.notificationID = notificationID
        self.studentID = studentID
        self.summaryID = summaryID
        self.type = type
    }
}

// MARK: CONFERENCEFOLLOWUPData convenience initializers and mutators

public extension CONFERENCEFOLLOWUPData {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(CONFERENCEFOLLOWUPData.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        category: FluffyCategory? = nil,
        deepLink: String? = nil,
        kind: FluffyKind? = nil,
        notificationID: String? = nil,
        studentID: String? = nil,
        summaryID: String? = nil,
        type: PurpleType? = nil
    ) -> CONFERENCEFOLLOWUPData {
        return CONFERENCEFOLLOWUPData(
            category: category ?? self.category,
            deepLink: deepLink ?? self.deepLink,
            kind: kind ?? self.kind,
            notificationID: notificationID ?? self.notificationID,
            studentID: studentID ?? self.studentID,
            summaryID: summaryID ?? self.summaryID,
            type: type ?? self.type
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum FluffyKind: String, Codable {
    case acknowledged = "ACKNOWLEDGED"
    case answered = "ANSWERED"
    case checkIn = "CHECK_IN"
    case summary = "SUMMARY"
}

public enum PurpleType: String, Codable {
    case conferenceFollowUp = "CONFERENCE_FOLLOW_UP"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

/// A family's request to meet with the school: REQUESTED (to the teacher and the school's
/// admins), PROPOSED (to the family, staff proposed times), SCHEDULED (to staff, the family
/// accepted a time), CANCELLED (to the others), REMINDER_DAY and REMINDER_HOUR (to the
/// family, called off if the meeting is cancelled). data.startsAt (RFC 3339 UTC) comes with
/// SCHEDULED and the reminders.
// MARK: - ConferenceRequest
public struct ConferenceRequest: Codable {
    public let android: CONFERENCEREQUESTAndroid
    public let apns: Apns
    public let data: CONFERENCEREQUESTData
    public let notification: ANNOUNCEMENTNotification
    public let token: String

    public enum CodingKeys: String, CodingKey {
        case android = "android"
        case apns = "apns"
        case data = "data"
        case notification = "notification"
        case token = "token"
    }

    public init(android: CONFERENCEREQUESTAndroid, apns: Apns, data: CONFERENCEREQUESTData, notification: ANNOUNCEMENTNotification, token: String) {
        self.android = android
        self.apns = apns
        self.data = data
        self.notification = notification
        self.token = token
    }
}

// MARK: ConferenceRequest convenience initializers and mutators

public extension ConferenceRequest {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ConferenceRequest.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        android: CONFERENCEREQUESTAndroid? = nil,
        apns: Apns? = nil,
        data: CONFERENCEREQUESTData? = nil,
        notification: ANNOUNCEMENTNotification? = nil,
        token: String? = nil
    ) -> ConferenceRequest {
        return ConferenceRequest(
            android: android ?? self.android,
            apns: apns ?? self.apns,
            data: data ?? self.data,
            notification: notification ?? self.notification,
            token: token ?? self.token
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - CONFERENCEREQUESTAndroid
public struct CONFERENCEREQUESTAndroid: Codable {
    public let collapseKey: String
    public let notification: AndroidNotification
    public let priority: Priority

    public enum CodingKeys: String, CodingKey {
        case collapseKey = "collapse_key"
        case notification = "notification"
        case priority = "priority"
    }

    public init(collapseKey: String, notification: AndroidNotification, priority: Priority) {
        self.collapseKey = collapseKey
        self.notification = notification
        self.priority = priority
    }
}

// MARK: CONFERENCEREQUESTAndroid convenience initializers and mutators

public extension CONFERENCEREQUESTAndroid {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(CONFERENCEREQUESTAndroid.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        collapseKey: String? = nil,
        notification: AndroidNotification? = nil,
        priority: Priority? = nil
    ) -> CONFERENCEREQUESTAndroid {
        return CONFERENCEREQUESTAndroid(
            collapseKey: collapseKey ?? self.collapseKey,
            notification: notification ?? self.notification,
            priority: priority ?? self.priority
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - CONFERENCEREQUESTData
public struct CONFERENCEREQUESTData: Codable {
    public let category: FluffyCategory
    public let deepLink: String
    public let kind: TentacledKind
    public let notificationID: String
    public let requestID: String
    public let startsAt: Date?
    public let type: FluffyType

    public enum CodingKeys: String, CodingKey {
        case category = "category"
        case deepLink = "deepLink"
        case kind = "kind"
        case notificationID = "notificationId"
        case requestID = "requestId"
        case startsAt = "startsAt"
        case type = "type"
    }

    public init(category: FluffyCategory, deepLink: String, kind: TentacledKind, notificationID: String, requestID: String, startsAt: Date?, type: FluffyType) {
        self.category = category
        self.deepLink = deepLink
        self.kind = kind
        self.notificationID = notificationID
        self.requestID = requestID
        self.startsAt = startsAt
        self.type = type
    }
}

// MARK: CONFERENCEREQUESTData convenience initializers and mutators

public extension CONFERENCEREQUESTData {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(CONFERENCEREQUESTData.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        category: FluffyCategory? = nil,
        deepLink: String? = nil,
        kind: TentacledKind? = nil,
        notificationID: String? = nil,
        requestID: String? = nil,
        startsAt: Date?? = nil,
        type: FluffyType? = nil
    ) -> CONFERENCEREQUESTData {
        return CONFERENCEREQUESTData(
            category: category ?? self.category,
            deepLink: deepLink ?? self.deepLink,
            kind: kind ?? self.kind,
            notificationID: notificationID ?? self.notificationID,
            requestID: requestID ?? self.requestID,
            startsAt: startsAt ?? self.startsAt,
            type: type ?? self.type
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum TentacledKind: String, Codable {
    case cancelled = "CANCELLED"
    case proposed = "PROPOSED"
    case reminderDay = "REMINDER_DAY"
    case reminderHour = "REMINDER_HOUR"
    case requested = "REQUESTED"
    case scheduled = "SCHEDULED"
}

public enum FluffyType: String, Codable {
    case conferenceRequest = "CONFERENCE_REQUEST"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

/// A parent-education event: PROMOTED (to a family moved off the waitlist) and REMINDER_DAY
/// (to families going, 24 hours before; called off when they cancel). data.startsAt is RFC
/// 3339 UTC; the text gives it in the recipient's zone.
// MARK: - Event
public struct Event: Codable {
    public let android: EVENTAndroid
    public let apns: Apns
    public let data: EVENTData
    public let notification: ANNOUNCEMENTNotification
    public let token: String

    public enum CodingKeys: String, CodingKey {
        case android = "android"
        case apns = "apns"
        case data = "data"
        case notification = "notification"
        case token = "token"
    }

    public init(android: EVENTAndroid, apns: Apns, data: EVENTData, notification: ANNOUNCEMENTNotification, token: String) {
        self.android = android
        self.apns = apns
        self.data = data
        self.notification = notification
        self.token = token
    }
}

// MARK: Event convenience initializers and mutators

public extension Event {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(Event.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        android: EVENTAndroid? = nil,
        apns: Apns? = nil,
        data: EVENTData? = nil,
        notification: ANNOUNCEMENTNotification? = nil,
        token: String? = nil
    ) -> Event {
        return Event(
            android: android ?? self.android,
            apns: apns ?? self.apns,
            data: data ?? self.data,
            notification: notification ?? self.notification,
            token: token ?? self.token
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - EVENTAndroid
public struct EVENTAndroid: Codable {
    public let collapseKey: String
    public let notification: AndroidNotification
    public let priority: Priority

    public enum CodingKeys: String, CodingKey {
        case collapseKey = "collapse_key"
        case notification = "notification"
        case priority = "priority"
    }

    public init(collapseKey: String, notification: AndroidNotification, priority: Priority) {
        self.collapseKey = collapseKey
        self.notification = notification
        self.priority = priority
    }
}

// MARK: EVENTAndroid convenience initializers and mutators

public extension EVENTAndroid {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(EVENTAndroid.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        collapseKey: String? = nil,
        notification: AndroidNotification? = nil,
        priority: Priority? = nil
    ) -> EVENTAndroid {
        return EVENTAndroid(
            collapseKey: collapseKey ?? self.collapseKey,
            notification: notification ?? self.notification,
            priority: priority ?? self.priority
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - EVENTData
public struct EVENTData: Codable {
    public let category: TentacledCategory
    public let deepLink: String
    public let eventID: String
    public let kind: StickyKind
    public let notificationID: String
    public let startsAt: Date
    public let type: TentacledCategory

    public enum CodingKeys: String, CodingKey {
        case category = "category"
        case deepLink = "deepLink"
        case eventID = "eventId"
        case kind = "kind"
        case notificationID = "notificationId"
        case startsAt = "startsAt"
        case type = "type"
    }

    public init(category: TentacledCategory, deepLink: String, eventID: String, kind: StickyKind, notificationID: String, startsAt: Date, type: TentacledCategory) {
        self.category = category
        self.deepLink = deepLink
        self.eventID = eventID
        self.kind = kind
        self.notificationID = notificationID
        self.startsAt = startsAt
        self.type = type
    }
}

// MARK: EVENTData convenience initializers and mutators

public extension EVENTData {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(EVENTData.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        category: TentacledCategory? = nil,
        deepLink: String? = nil,
        eventID: String? = nil,
        kind: StickyKind? = nil,
        notificationID: String? = nil,
        startsAt: Date? = nil,
        type: TentacledCategory? = nil
    ) -> EVENTData {
        return EVENTData(
            category: category ?? self.category,
            deepLink: deepLink ?? self.deepLink,
            eventID: eventID ?? self.eventID,
            kind: kind ?? self.kind,
            notificationID: notificationID ?? self.notificationID,
            startsAt: startsAt ?? self.startsAt,
            type: type ?? self.type
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum TentacledCategory: String, Codable {
    case event = "EVENT"
}

public enum StickyKind: String, Codable {
    case promoted = "PROMOTED"
    case reminderDay = "REMINDER_DAY"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

/// A guardian shared what they see at home (to the child's teachers).
// MARK: - HomeInsight
public struct HomeInsight: Codable {
    public let android: HOMEINSIGHTAndroid
    public let apns: Apns
    public let data: HOMEINSIGHTData
    public let notification: ANNOUNCEMENTNotification
    public let token: String

    public enum CodingKeys: String, CodingKey {
        case android = "android"
        case apns = "apns"
        case data = "data"
        case notification = "notification"
        case token = "token"
    }

    public init(android: HOMEINSIGHTAndroid, apns: Apns, data: HOMEINSIGHTData, notification: ANNOUNCEMENTNotification, token: String) {
        self.android = android
        self.apns = apns
        self.data = data
        self.notification = notification
        self.token = token
    }
}

// MARK: HomeInsight convenience initializers and mutators

public extension HomeInsight {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(HomeInsight.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        android: HOMEINSIGHTAndroid? = nil,
        apns: Apns? = nil,
        data: HOMEINSIGHTData? = nil,
        notification: ANNOUNCEMENTNotification? = nil,
        token: String? = nil
    ) -> HomeInsight {
        return HomeInsight(
            android: android ?? self.android,
            apns: apns ?? self.apns,
            data: data ?? self.data,
            notification: notification ?? self.notification,
            token: token ?? self.token
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - HOMEINSIGHTAndroid
public struct HOMEINSIGHTAndroid: Codable {
    public let collapseKey: String
    public let notification: AndroidNotification
    public let priority: Priority

    public enum CodingKeys: String, CodingKey {
        case collapseKey = "collapse_key"
        case notification = "notification"
        case priority = "priority"
    }

    public init(collapseKey: String, notification: AndroidNotification, priority: Priority) {
        self.collapseKey = collapseKey
        self.notification = notification
        self.priority = priority
    }
}

// MARK: HOMEINSIGHTAndroid convenience initializers and mutators

public extension HOMEINSIGHTAndroid {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(HOMEINSIGHTAndroid.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        collapseKey: String? = nil,
        notification: AndroidNotification? = nil,
        priority: Priority? = nil
    ) -> HOMEINSIGHTAndroid {
        return HOMEINSIGHTAndroid(
            collapseKey: collapseKey ?? self.collapseKey,
            notification: notification ?? self.notification,
            priority: priority ?? self.priority
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - HOMEINSIGHTData
public struct HOMEINSIGHTData: Codable {
    public let category: StickyCategory
    public let deepLink: String
    public let homeInsightID: String
    public let notificationID: String
    public let studentID: String
    public let type: TentacledType

    public enum CodingKeys: String, CodingKey {
        case category = "category"
        case deepLink = "deepLink"
        case homeInsightID = "homeInsightId"
        case notificationID = "notificationId"
        case studentID = "studentId"
        case type = "type"
    }

    public init(category: StickyCategory, deepLink: String, homeInsightID: String, notificationID: String, studentID: String, type: TentacledType) {
        self.category = category
        self.deepLink = deepLink
        self.homeInsightID = homeInsightID
        self.notificationID = notificationID
        self.studentID = studentID
        self.type = type
    }
}

// MARK: HOMEINSIGHTData convenience initializers and mutators

public extension HOMEINSIGHTData {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(HOMEINSIGHTData.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        category: StickyCategory? = nil,
        deepLink: String? = nil,
        homeInsightID: String? = nil,
        notificationID: String? = nil,
        studentID: String? = nil,
        type: TentacledType? = nil
    ) -> HOMEINSIGHTData {
        return HOMEINSIGHTData(
            category: category ?? self.category,
            deepLink: deepLink ?? self.deepLink,
            homeInsightID: homeInsightID ?? self.homeInsightID,
            notificationID: notificationID ?? self.notificationID,
            studentID: studentID ?? self.studentID,
            type: type ?? self.type
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum StickyCategory: String, Codable {
    case observation = "OBSERVATION"
}

public enum TentacledType: String, Codable {
    case homeInsight = "HOME_INSIGHT"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

/// A new message in a conversation (to each participant but the sender who has not muted
/// it). Collapse key and thread id are the conversation; the body does not carry the message
/// text.
// MARK: - NewMessage
public struct NewMessage: Codable {
    public let android: NEWMESSAGEAndroid
    public let apns: Apns
    public let data: NEWMESSAGEData
    public let notification: ANNOUNCEMENTNotification
    public let token: String

    public enum CodingKeys: String, CodingKey {
        case android = "android"
        case apns = "apns"
        case data = "data"
        case notification = "notification"
        case token = "token"
    }

    public init(android: NEWMESSAGEAndroid, apns: Apns, data: NEWMESSAGEData, notification: ANNOUNCEMENTNotification, token: String) {
        self.android = android
        self.apns = apns
        self.data = data
        self.notification = notification
        self.token = token
    }
}

// MARK: NewMessage convenience initializers and mutators

public extension NewMessage {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(NewMessage.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        android: NEWMESSAGEAndroid? = nil,
        apns: Apns? = nil,
        data: NEWMESSAGEData? = nil,
        notification: ANNOUNCEMENTNotification? = nil,
        token: String? = nil
    ) -> NewMessage {
        return NewMessage(
            android: android ?? self.android,
            apns: apns ?? self.apns,
            data: data ?? self.data,
            notification: notification ?? self.notification,
            token: token ?? self.token
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - NEWMESSAGEAndroid
public struct NEWMESSAGEAndroid: Codable {
    public let collapseKey: String
    public let notification: AndroidNotification
    public let priority: Priority

    public enum CodingKeys: String, CodingKey {
        case collapseKey = "collapse_key"
        case notification = "notification"
        case priority = "priority"
    }

    public init(collapseKey: String, notification: AndroidNotification, priority: Priority) {
        self.collapseKey = collapseKey
        self.notification = notification
        self.priority = priority
    }
}

// MARK: NEWMESSAGEAndroid convenience initializers and mutators

public extension NEWMESSAGEAndroid {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(NEWMESSAGEAndroid.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        collapseKey: String? = nil,
        notification: AndroidNotification? = nil,
        priority: Priority? = nil
    ) -> NEWMESSAGEAndroid {
        return NEWMESSAGEAndroid(
            collapseKey: collapseKey ?? self.collapseKey,
            notification: notification ?? self.notification,
            priority: priority ?? self.priority
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - NEWMESSAGEData
public struct NEWMESSAGEData: Codable {
    public let category: IndigoCategory
    public let conversationID: String
    public let deepLink: String
    public let messageID: String
    public let notificationID: String
    public let seq: String
    public let type: IndigoCategory

    public enum CodingKeys: String, CodingKey {
        case category = "category"
        case conversationID = "conversationId"
        case deepLink = "deepLink"
        case messageID = "messageId"
        case notificationID = "notificationId"
        case seq = "seq"
        case type = "type"
    }

    public init(category: IndigoCategory, conversationID: String, deepLink: String, messageID: String, notificationID: String, seq: String, type: IndigoCategory) {
        self.category = category
        self.conversationID = conversationID
        self.deepLink = deepLink
        self.messageID = messageID
        self.notificationID = notificationID
        self.seq = seq
        self.type = type
    }
}

// MARK: NEWMESSAGEData convenience initializers and mutators

public extension NEWMESSAGEData {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(NEWMESSAGEData.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        category: IndigoCategory? = nil,
        conversationID: String? = nil,
        deepLink: String? = nil,
        messageID: String? = nil,
        notificationID: String? = nil,
        seq: String? = nil,
        type: IndigoCategory? = nil
    ) -> NEWMESSAGEData {
        return NEWMESSAGEData(
            category: category ?? self.category,
            conversationID: conversationID ?? self.conversationID,
            deepLink: deepLink ?? self.deepLink,
            messageID: messageID ?? self.messageID,
            notificationID: notificationID ?? self.notificationID,
            seq: seq ?? self.seq,
            type: type ?? self.type
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum IndigoCategory: String, Codable {
    case newMessage = "NEW_MESSAGE"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

/// A guardian replied to an observation (to its author).
// MARK: - ObservationResponse
public struct ObservationResponse: Codable {
    public let android: OBSERVATIONRESPONSEAndroid
    public let apns: Apns
    public let data: OBSERVATIONRESPONSEData
    public let notification: ANNOUNCEMENTNotification
    public let token: String

    public enum CodingKeys: String, CodingKey {
        case android = "android"
        case apns = "apns"
        case data = "data"
        case notification = "notification"
        case token = "token"
    }

    public init(android: OBSERVATIONRESPONSEAndroid, apns: Apns, data: OBSERVATIONRESPONSEData, notification: ANNOUNCEMENTNotification, token: String) {
        self.android = android
        self.apns = apns
        self.data = data
        self.notification = notification
        self.token = token
    }
}

// MARK: ObservationResponse convenience initializers and mutators

public extension ObservationResponse {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ObservationResponse.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        android: OBSERVATIONRESPONSEAndroid? = nil,
        apns: Apns? = nil,
        data: OBSERVATIONRESPONSEData? = nil,
        notification: ANNOUNCEMENTNotification? = nil,
        token: String? = nil
    ) -> ObservationResponse {
        return ObservationResponse(
            android: android ?? self.android,
            apns: apns ?? self.apns,
            data: data ?? self.data,
            notification: notification ?? self.notification,
            token: token ?? self.token
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - OBSERVATIONRESPONSEAndroid
public struct OBSERVATIONRESPONSEAndroid: Codable {
    public let collapseKey: String
    public let notification: AndroidNotification
    public let priority: Priority

    public enum CodingKeys: String, CodingKey {
        case collapseKey = "collapse_key"
        case notification = "notification"
        case priority = "priority"
    }

    public init(collapseKey: String, notification: AndroidNotification, priority: Priority) {
        self.collapseKey = collapseKey
        self.notification = notification
        self.priority = priority
    }
}

// MARK: OBSERVATIONRESPONSEAndroid convenience initializers and mutators

public extension OBSERVATIONRESPONSEAndroid {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(OBSERVATIONRESPONSEAndroid.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        collapseKey: String? = nil,
        notification: AndroidNotification? = nil,
        priority: Priority? = nil
    ) -> OBSERVATIONRESPONSEAndroid {
        return OBSERVATIONRESPONSEAndroid(
            collapseKey: collapseKey ?? self.collapseKey,
            notification: notification ?? self.notification,
            priority: priority ?? self.priority
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - OBSERVATIONRESPONSEData
public struct OBSERVATIONRESPONSEData: Codable {
    public let category: StickyCategory
    public let deepLink: String
    public let notificationID: String
    public let observationID: String
    public let responseID: String
    public let studentID: String
    public let type: StickyType

    public enum CodingKeys: String, CodingKey {
        case category = "category"
        case deepLink = "deepLink"
        case notificationID = "notificationId"
        case observationID = "observationId"
        case responseID = "responseId"
        case studentID = "studentId"
        case type = "type"
    }

    public init(category: StickyCategory, deepLink: String, notificationID: String, observationID: String, responseID: String, studentID: String, type: StickyType) {
        self.category = category
        self.deepLink = deepLink
        self.notificationID = notificationID
        self.observationID = observationID
        self.responseID = responseID
        self.studentID = studentID
        self.type = type
    }
}

// MARK: OBSERVATIONRESPONSEData convenience initializers and mutators

public extension OBSERVATIONRESPONSEData {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(OBSERVATIONRESPONSEData.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        category: StickyCategory? = nil,
        deepLink: String? = nil,
        notificationID: String? = nil,
        observationID: String? = nil,
        responseID: String? = nil,
        studentID: String? = nil,
        type: StickyType? = nil
    ) -> OBSERVATIONRESPONSEData {
        return OBSERVATIONRESPONSEData(
            category: category ?? self.category,
            deepLink: deepLink ?? self.deepLink,
            notificationID: notificationID ?? self.notificationID,
            observationID: observationID ?? self.observationID,
            responseID: responseID ?? self.responseID,
            studentID: studentID ?? self.studentID,
            type: type ?? self.type
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum StickyType: String, Codable {
    case observationResponse = "OBSERVATION_RESPONSE"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

/// An observation or positive note was shared with the family (one push per guardian device).
// MARK: - ObservationShared
public struct ObservationShared: Codable {
    public let android: OBSERVATIONSHAREDAndroid
    public let apns: Apns
    public let data: OBSERVATIONSHAREDData
    public let notification: ANNOUNCEMENTNotification
    public let token: String

    public enum CodingKeys: String, CodingKey {
        case android = "android"
        case apns = "apns"
        case data = "data"
        case notification = "notification"
        case token = "token"
    }

    public init(android: OBSERVATIONSHAREDAndroid, apns: Apns, data: OBSERVATIONSHAREDData, notification: ANNOUNCEMENTNotification, token: String) {
        self.android = android
        self.apns = apns
        self.data = data
        self.notification = notification
        self.token = token
    }
}

// MARK: ObservationShared convenience initializers and mutators

public extension ObservationShared {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ObservationShared.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        android: OBSERVATIONSHAREDAndroid? = nil,
        apns: Apns? = nil,
        data: OBSERVATIONSHAREDData? = nil,
        notification: ANNOUNCEMENTNotification? = nil,
        token: String? = nil
    ) -> ObservationShared {
        return ObservationShared(
            android: android ?? self.android,
            apns: apns ?? self.apns,
            data: data ?? self.data,
            notification: notification ?? self.notification,
            token: token ?? self.token
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - OBSERVATIONSHAREDAndroid
public struct OBSERVATIONSHAREDAndroid: Codable {
    public let collapseKey: String
    public let notification: AndroidNotification
    public let priority: Priority

    public enum CodingKeys: String, CodingKey {
        case collapseKey = "collapse_key"
        case notification = "notification"
        case priority = "priority"
    }

    public init(collapseKey: String, notification: AndroidNotification, priority: Priority) {
        self.collapseKey = collapseKey
        self.notification = notification
        self.priority = priority
    }
}

// MARK: OBSERVATIONSHAREDAndroid convenience initializers and mutators

public extension OBSERVATIONSHAREDAndroid {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(OBSERVATIONSHAREDAndroid.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        collapseKey: String? = nil,
        notification: AndroidNotification? = nil,
        priority: Priority? = nil
    ) -> OBSERVATIONSHAREDAndroid {
        return OBSERVATIONSHAREDAndroid(
            collapseKey: collapseKey ?? self.collapseKey,
            notification: notification ?? self.notification,
            priority: priority ?? self.priority
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - OBSERVATIONSHAREDData
public struct OBSERVATIONSHAREDData: Codable {
    public let category: IndecentCategory
    public let deepLink: String
    public let kind: IndigoKind
    public let notificationID: String
    public let observationID: String
    public let studentID: String
    public let type: IndigoType

    public enum CodingKeys: String, CodingKey {
        case category = "category"
        case deepLink = "deepLink"
        case kind = "kind"
        case notificationID = "notificationId"
        case observationID = "observationId"
        case studentID = "studentId"
        case type = "type"
    }

    public init(category: IndecentCategory, deepLink: String, kind: IndigoKind, notificationID: String, observationID: String, studentID: String, type: IndigoType) {
        self.category = category
        self.deepLink = deepLink
        self.kind = kind
        self.notificationID = notificationID
        self.observationID = observationID
        self.studentID = studentID
        self.type = type
    }
}

// MARK: OBSERVATIONSHAREDData convenience initializers and mutators

public extension OBSERVATIONSHAREDData {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(OBSERVATIONSHAREDData.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        category: IndecentCategory? = nil,
        deepLink: String? = nil,
        kind: IndigoKind? = nil,
        notificationID: String? = nil,
        observationID: String? = nil,
        studentID: String? = nil,
        type: IndigoType? = nil
    ) -> OBSERVATIONSHAREDData {
        return OBSERVATIONSHAREDData(
            category: category ?? self.category,
            deepLink: deepLink ?? self.deepLink,
            kind: kind ?? self.kind,
            notificationID: notificationID ?? self.notificationID,
            observationID: observationID ?? self.observationID,
            studentID: studentID ?? self.studentID,
            type: type ?? self.type
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum IndecentCategory: String, Codable {
    case observation = "OBSERVATION"
    case positiveNote = "POSITIVE_NOTE"
}

public enum IndigoKind: String, Codable {
    case concern = "CONCERN"
    case observation = "OBSERVATION"
    case positive = "POSITIVE"
}

public enum IndigoType: String, Codable {
    case observationShared = "OBSERVATION_SHARED"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

/// A teacher's weekly reminder (Monday from 08:00 in the school's time zone, category
/// WEEKLY_REMINDER, which the teacher turns off to opt out): the students they teach with no
/// shared positive note in the last seven days, up to five first names in the body;
/// data.count is how many, data.week the Monday (YYYY-MM-DD). Sent only when there is at
/// least one.
// MARK: - PositiveNoteReminder
public struct PositiveNoteReminder: Codable {
    public let android: POSITIVENOTEREMINDERAndroid
    public let apns: Apns
    public let data: POSITIVENOTEREMINDERData
    public let notification: ANNOUNCEMENTNotification
    public let token: String

    public enum CodingKeys: String, CodingKey {
        case android = "android"
        case apns = "apns"
        case data = "data"
        case notification = "notification"
        case token = "token"
    }

    public init(android: POSITIVENOTEREMINDERAndroid, apns: Apns, data: POSITIVENOTEREMINDERData, notification: ANNOUNCEMENTNotification, token: String) {
        self.android = android
        self.apns = apns
        self.data = data
        self.notification = notification
        self.token = token
    }
}

// MARK: PositiveNoteReminder convenience initializers and mutators

public extension PositiveNoteReminder {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(PositiveNoteReminder.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        android: POSITIVENOTEREMINDERAndroid? = nil,
        apns: Apns? = nil,
        data: POSITIVENOTEREMINDERData? = nil,
        notification: ANNOUNCEMENTNotification? = nil,
        token: String? = nil
    ) -> PositiveNoteReminder {
        return PositiveNoteReminder(
            android: android ?? self.android,
            apns: apns ?? self.apns,
            data: data ?? self.data,
            notification: notification ?? self.notification,
            token: token ?? self.token
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - POSITIVENOTEREMINDERAndroid
public struct POSITIVENOTEREMINDERAndroid: Codable {
    public let collapseKey: PurpleCollapseKey
    public let notification: AndroidNotification
    public let priority: Priority

    public enum CodingKeys: String, CodingKey {
        case collapseKey = "collapse_key"
        case notification = "notification"
        case priority = "priority"
    }

    public init(collapseKey: PurpleCollapseKey, notification: AndroidNotification, priority: Priority) {
        self.collapseKey = collapseKey
        self.notification = notification
        self.priority = priority
    }
}

// MARK: POSITIVENOTEREMINDERAndroid convenience initializers and mutators

public extension POSITIVENOTEREMINDERAndroid {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(POSITIVENOTEREMINDERAndroid.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        collapseKey: PurpleCollapseKey? = nil,
        notification: AndroidNotification? = nil,
        priority: Priority? = nil
    ) -> POSITIVENOTEREMINDERAndroid {
        return POSITIVENOTEREMINDERAndroid(
            collapseKey: collapseKey ?? self.collapseKey,
            notification: notification ?? self.notification,
            priority: priority ?? self.priority
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum PurpleCollapseKey: String, Codable {
    case weeklyReminder = "weekly-reminder"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - POSITIVENOTEREMINDERData
public struct POSITIVENOTEREMINDERData: Codable {
    public let category: HilariousCategory
    public let count: String
    public let deepLink: PurpleDeepLink
    public let notificationID: String
    public let type: IndecentType
    public let week: String

    public enum CodingKeys: String, CodingKey {
        case category = "category"
        case count = "count"
        case deepLink = "deepLink"
        case notificationID = "notificationId"
        case type = "type"
        case week = "week"
    }

    public init(category: HilariousCategory, count: String, deepLink: PurpleDeepLink, notificationID: String, type: IndecentType, week: String) {
        self.category = category
        self.count = count
        self.deepLink = deepLink
        self.notificationID = notificationID
        self.type = type
        self.week = week
    }
}

// MARK: POSITIVENOTEREMINDERData convenience initializers and mutators

public extension POSITIVENOTEREMINDERData {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(POSITIVENOTEREMINDERData.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        category: HilariousCategory? = nil,
        count: String? = nil,
        deepLink: PurpleDeepLink? = nil,
        notificationID: String? = nil,
        type: IndecentType? = nil,
        week: String? = nil
    ) -> POSITIVENOTEREMINDERData {
        return POSITIVENOTEREMINDERData(
            category: category ?? self.category,
            count: count ?? self.count,
            deepLink: deepLink ?? self.deepLink,
            notificationID: notificationID ?? self.notificationID,
            type: type ?? self.type,
            week: week ?? self.week
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum HilariousCategory: String, Codable {
    case weeklyReminder = "WEEKLY_REMINDER"
}

public enum PurpleDeepLink: String, Codable {
    case samesideCoachingPositiveNotes = "sameside://coaching/positive-notes"
}

public enum IndecentType: String, Codable {
    case positiveNoteReminder = "POSITIVE_NOTE_REMINDER"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

/// A teacher sent a concern draft for review (to the school's admins).
// MARK: - ReviewRequested
public struct ReviewRequested: Codable {
    public let android: REVIEWREQUESTEDAndroid
    public let apns: Apns
    public let data: REVIEWREQUESTEDData
    public let notification: ANNOUNCEMENTNotification
    public let token: String

    public enum CodingKeys: String, CodingKey {
        case android = "android"
        case apns = "apns"
        case data = "data"
        case notification = "notification"
        case token = "token"
    }

    public init(android: REVIEWREQUESTEDAndroid, apns: Apns, data: REVIEWREQUESTEDData, notification: ANNOUNCEMENTNotification, token: String) {
        self.android = android
        self.apns = apns
        self.data = data
        self.notification = notification
        self.token = token
    }
}

// MARK: ReviewRequested convenience initializers and mutators

public extension ReviewRequested {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ReviewRequested.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        android: REVIEWREQUESTEDAndroid? = nil,
        apns: Apns? = nil,
        data: REVIEWREQUESTEDData? = nil,
        notification: ANNOUNCEMENTNotification? = nil,
        token: String? = nil
    ) -> ReviewRequested {
        return ReviewRequested(
            android: android ?? self.android,
            apns: apns ?? self.apns,
            data: data ?? self.data,
            notification: notification ?? self.notification,
            token: token ?? self.token
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - REVIEWREQUESTEDAndroid
public struct REVIEWREQUESTEDAndroid: Codable {
    public let collapseKey: String
    public let notification: AndroidNotification
    public let priority: Priority

    public enum CodingKeys: String, CodingKey {
        case collapseKey = "collapse_key"
        case notification = "notification"
        case priority = "priority"
    }

    public init(collapseKey: String, notification: AndroidNotification, priority: Priority) {
        self.collapseKey = collapseKey
        self.notification = notification
        self.priority = priority
    }
}

// MARK: REVIEWREQUESTEDAndroid convenience initializers and mutators

public extension REVIEWREQUESTEDAndroid {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(REVIEWREQUESTEDAndroid.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        collapseKey: String? = nil,
        notification: AndroidNotification? = nil,
        priority: Priority? = nil
    ) -> REVIEWREQUESTEDAndroid {
        return REVIEWREQUESTEDAndroid(
            collapseKey: collapseKey ?? self.collapseKey,
            notification: notification ?? self.notification,
            priority: priority ?? self.priority
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - REVIEWREQUESTEDData
public struct REVIEWREQUESTEDData: Codable {
    public let category: AmbitiousCategory
    public let deepLink: String
    public let notificationID: String
    public let observationID: String
    public let type: HilariousType

    public enum CodingKeys: String, CodingKey {
        case category = "category"
        case deepLink = "deepLink"
        case notificationID = "notificationId"
        case observationID = "observationId"
        case type = "type"
    }

    public init(category: AmbitiousCategory, deepLink: String, notificationID: String, observationID: String, type: HilariousType) {
        self.category = category
        self.deepLink = deepLink
        self.notificationID = notificationID
        self.observationID = observationID
        self.type = type
    }
}

// MARK: REVIEWREQUESTEDData convenience initializers and mutators

public extension REVIEWREQUESTEDData {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(REVIEWREQUESTEDData.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        category: AmbitiousCategory? = nil,
        deepLink: String? = nil,
        notificationID: String? = nil,
        observationID: String? = nil,
        type: HilariousType? = nil
    ) -> REVIEWREQUESTEDData {
        return REVIEWREQUESTEDData(
            category: category ?? self.category,
            deepLink: deepLink ?? self.deepLink,
            notificationID: notificationID ?? self.notificationID,
            observationID: observationID ?? self.observationID,
            type: type ?? self.type
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum AmbitiousCategory: String, Codable {
    case coaching = "COACHING"
}

public enum HilariousType: String, Codable {
    case reviewRequested = "REVIEW_REQUESTED"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

/// A reviewer returned a concern draft with a comment (to its author).
// MARK: - ReviewReturned
public struct ReviewReturned: Codable {
    public let android: REVIEWRETURNEDAndroid
    public let apns: Apns
    public let data: REVIEWRETURNEDData
    public let notification: ANNOUNCEMENTNotification
    public let token: String

    public enum CodingKeys: String, CodingKey {
        case android = "android"
        case apns = "apns"
        case data = "data"
        case notification = "notification"
        case token = "token"
    }

    public init(android: REVIEWRETURNEDAndroid, apns: Apns, data: REVIEWRETURNEDData, notification: ANNOUNCEMENTNotification, token: String) {
        self.android = android
        self.apns = apns
        self.data = data
        self.notification = notification
        self.token = token
    }
}

// MARK: ReviewReturned convenience initializers and mutators

public extension ReviewReturned {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(ReviewReturned.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        android: REVIEWRETURNEDAndroid? = nil,
        apns: Apns? = nil,
        data: REVIEWRETURNEDData? = nil,
        notification: ANNOUNCEMENTNotification? = nil,
        token: String? = nil
    ) -> ReviewReturned {
        return ReviewReturned(
            android: android ?? self.android,
            apns: apns ?? self.apns,
            data: data ?? self.data,
            notification: notification ?? self.notification,
            token: token ?? self.token
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - REVIEWRETURNEDAndroid
public struct REVIEWRETURNEDAndroid: Codable {
    public let collapseKey: String
    public let notification: AndroidNotification
    public let priority: Priority

    public enum CodingKeys: String, CodingKey {
        case collapseKey = "collapse_key"
        case notification = "notification"
        case priority = "priority"
    }

    public init(collapseKey: String, notification: AndroidNotification, priority: Priority) {
        self.collapseKey = collapseKey
        self.notification = notification
        self.priority = priority
    }
}

// MARK: REVIEWRETURNEDAndroid convenience initializers and mutators

public extension REVIEWRETURNEDAndroid {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(REVIEWRETURNEDAndroid.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        collapseKey: String? = nil,
        notification: AndroidNotification? = nil,
        priority: Priority? = nil
    ) -> REVIEWRETURNEDAndroid {
        return REVIEWRETURNEDAndroid(
            collapseKey: collapseKey ?? self.collapseKey,
            notification: notification ?? self.notification,
            priority: priority ?? self.priority
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - REVIEWRETURNEDData
public struct REVIEWRETURNEDData: Codable {
    public let category: AmbitiousCategory
    public let deepLink: String
    public let notificationID: String
    public let observationID: String
    public let type: AmbitiousType

    public enum CodingKeys: String, CodingKey {
        case category = "category"
        case deepLink = "deepLink"
        case notificationID = "notificationId"
        case observationID = "observationId"
        case type = "type"
    }

    public init(category: AmbitiousCategory, deepLink: String, notificationID: String, observationID: String, type: AmbitiousType) {
        self.category = category
        self.deepLink = deepLink
        self.notificationID = notificationID
        self.observationID = observationID
        self.type = type
    }
}

// MARK: REVIEWRETURNEDData convenience initializers and mutators

public extension REVIEWRETURNEDData {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(REVIEWRETURNEDData.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        category: AmbitiousCategory? = nil,
        deepLink: String? = nil,
        notificationID: String? = nil,
        observationID: String? = nil,
        type: AmbitiousType? = nil
    ) -> REVIEWRETURNEDData {
        return REVIEWRETURNEDData(
            category: category ?? self.category,
            deepLink: deepLink ?? self.deepLink,
            notificationID: notificationID ?? self.notificationID,
            observationID: observationID ?? self.observationID,
            type: type ?? self.type
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum AmbitiousType: String, Codable {
    case reviewReturned = "REVIEW_RETURNED"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

/// sendTestNotification sends it at once (urgent, category SYSTEM). The app opens
/// notification settings.
// MARK: - TESTATestNotificationTheUserAskedForSendTestNotification
public struct TESTATestNotificationTheUserAskedForSendTestNotification: Codable {
    public let android: TESTATestNotificationTheUserAskedForSendTestNotificationAndroid
    public let apns: Apns
    public let data: TESTATestNotificationTheUserAskedForSendTestNotificationData
    public let notification: ANNOUNCEMENTNotification
    public let token: String

    public enum CodingKeys: String, CodingKey {
        case android = "android"
        case apns = "apns"
        case data = "data"
        case notification = "notification"
        case token = "token"
    }

    public init(android: TESTATestNotificationTheUserAskedForSendTestNotificationAndroid, apns: Apns, data: TESTATestNotificationTheUserAskedForSendTestNotificationData, notification: ANNOUNCEMENTNotification, token: String) {
        self.android = android
        self.apns = apns
        self.data = data
        self.notification = notification
        self.token = token
    }
}

// MARK: TESTATestNotificationTheUserAskedForSendTestNotification convenience initializers and mutators

public extension TESTATestNotificationTheUserAskedForSendTestNotification {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(TESTATestNotificationTheUserAskedForSendTestNotification.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        android: TESTATestNotificationTheUserAskedForSendTestNotificationAndroid? = nil,
        apns: Apns? = nil,
        data: TESTATestNotificationTheUserAskedForSendTestNotificationData? = nil,
        notification: ANNOUNCEMENTNotification? = nil,
        token: String? = nil
    ) -> TESTATestNotificationTheUserAskedForSendTestNotification {
        return TESTATestNotificationTheUserAskedForSendTestNotification(
            android: android ?? self.android,
            apns: apns ?? self.apns,
            data: data ?? self.data,
            notification: notification ?? self.notification,
            token: token ?? self.token
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - TESTATestNotificationTheUserAskedForSendTestNotificationAndroid
public struct TESTATestNotificationTheUserAskedForSendTestNotificationAndroid: Codable {
    public let collapseKey: FluffyCollapseKey
    public let notification: AndroidNotification
    public let priority: Priority

    public enum CodingKeys: String, CodingKey {
        case collapseKey = "collapse_key"
        case notification = "notification"
        case priority = "priority"
    }

    public init(collapseKey: FluffyCollapseKey, notification: AndroidNotification, priority: Priority) {
        self.collapseKey = collapseKey
        self.notification = notification
        self.priority = priority
    }
}

// MARK: TESTATestNotificationTheUserAskedForSendTestNotificationAndroid convenience initializers and mutators

public extension TESTATestNotificationTheUserAskedForSendTestNotificationAndroid {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(TESTATestNotificationTheUserAskedForSendTestNotificationAndroid.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        collapseKey: FluffyCollapseKey? = nil,
        notification: AndroidNotification? = nil,
        priority: Priority? = nil
    ) -> TESTATestNotificationTheUserAskedForSendTestNotificationAndroid {
        return TESTATestNotificationTheUserAskedForSendTestNotificationAndroid(
            collapseKey: collapseKey ?? self.collapseKey,
            notification: notification ?? self.notification,
            priority: priority ?? self.priority
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum FluffyCollapseKey: String, Codable {
    case test = "test"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - TESTATestNotificationTheUserAskedForSendTestNotificationData
public struct TESTATestNotificationTheUserAskedForSendTestNotificationData: Codable {
    public let category: CunningCategory
    public let deepLink: FluffyDeepLink
    public let notificationID: String
    public let type: CunningType

    public enum CodingKeys: String, CodingKey {
        case category = "category"
        case deepLink = "deepLink"
        case notificationID = "notificationId"
        case type = "type"
    }

    public init(category: CunningCategory, deepLink: FluffyDeepLink, notificationID: String, type: CunningType) {
        self.category = category
        self.deepLink = deepLink
        self.notificationID = notificationID
        self.type = type
    }
}

// MARK: TESTATestNotificationTheUserAskedForSendTestNotificationData convenience initializers and mutators

public extension TESTATestNotificationTheUserAskedForSendTestNotificationData {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(TESTATestNotificationTheUserAskedForSendTestNotificationData.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        category: CunningCategory? = nil,
        deepLink: FluffyDeepLink? = nil,
        notificationID: String? = nil,
        type: CunningType? = nil
    ) -> TESTATestNotificationTheUserAskedForSendTestNotificationData {
        return TESTATestNotificationTheUserAskedForSendTestNotificationData(
            category: category ?? self.category,
            deepLink: deepLink ?? self.deepLink,
            notificationID: notificationID ?? self.notificationID,
            type: type ?? self.type
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum CunningCategory: String, Codable {
    case announcement = "ANNOUNCEMENT"
    case coaching = "COACHING"
    case conference = "CONFERENCE"
    case event = "EVENT"
    case newMessage = "NEW_MESSAGE"
    case observation = "OBSERVATION"
    case positiveNote = "POSITIVE_NOTE"
    case system = "SYSTEM"
}

public enum FluffyDeepLink: String, Codable {
    case samesideSettingsNotifications = "sameside://settings/notifications"
}

public enum CunningType: String, Codable {
    case test = "TEST"
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

/// A guardian answered "we tried it" to a note's suggestion to try at home (to the note's
/// author). Open the observation to read how it went (Observation.triedAtHome).
// MARK: - TriedAtHome
public struct TriedAtHome: Codable {
    public let android: TRIEDATHOMEAndroid
    public let apns: Apns
    public let data: TRIEDATHOMEData
    public let notification: ANNOUNCEMENTNotification
    public let token: String

    public enum CodingKeys: String, CodingKey {
        case android = "android"
        case apns = "apns"
        case data = "data"
        case notification = "notification"
        case token = "token"
    }

    public init(android: TRIEDATHOMEAndroid, apns: Apns, data: TRIEDATHOMEData, notification: ANNOUNCEMENTNotification, token: String) {
        self.android = android
        self.apns = apns
        self.data = data
        self.notification = notification
        self.token = token
    }
}

// MARK: TriedAtHome convenience initializers and mutators

public extension TriedAtHome {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(TriedAtHome.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        android: TRIEDATHOMEAndroid? = nil,
        apns: Apns? = nil,
        data: TRIEDATHOMEData? = nil,
        notification: ANNOUNCEMENTNotification? = nil,
        token: String? = nil
    ) -> TriedAtHome {
        return TriedAtHome(
            android: android ?? self.android,
            apns: apns ?? self.apns,
            data: data ?? self.data,
            notification: notification ?? self.notification,
            token: token ?? self.token
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - TRIEDATHOMEAndroid
public struct TRIEDATHOMEAndroid: Codable {
    public let collapseKey: String
    public let notification: AndroidNotification
    public let priority: Priority

    public enum CodingKeys: String, CodingKey {
        case collapseKey = "collapse_key"
        case notification = "notification"
        case priority = "priority"
    }

    public init(collapseKey: String, notification: AndroidNotification, priority: Priority) {
        self.collapseKey = collapseKey
        self.notification = notification
        self.priority = priority
    }
}

// MARK: TRIEDATHOMEAndroid convenience initializers and mutators

public extension TRIEDATHOMEAndroid {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(TRIEDATHOMEAndroid.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        collapseKey: String? = nil,
        notification: AndroidNotification? = nil,
        priority: Priority? = nil
    ) -> TRIEDATHOMEAndroid {
        return TRIEDATHOMEAndroid(
            collapseKey: collapseKey ?? self.collapseKey,
            notification: notification ?? self.notification,
            priority: priority ?? self.priority
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

// Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.

// MARK: - TRIEDATHOMEData
public struct TRIEDATHOMEData: Codable {
    public let category: StickyCategory
    public let deepLink: String
    public let notificationID: String
    public let observationID: String
    public let studentID: String
    public let type: MagentaType

    public enum CodingKeys: String, CodingKey {
        case category = "category"
        case deepLink = "deepLink"
        case notificationID = "notificationId"
        case observationID = "observationId"
        case studentID = "studentId"
        case type = "type"
    }

    public init(category: StickyCategory, deepLink: String, notificationID: String, observationID: String, studentID: String, type: MagentaType) {
        self.category = category
        self.deepLink = deepLink
        self.notificationID = notificationID
        self.observationID = observationID
        self.studentID = studentID
        self.type = type
    }
}

// MARK: TRIEDATHOMEData convenience initializers and mutators

public extension TRIEDATHOMEData {
    init(data: Data) throws {
        self = try newJSONDecoder().decode(TRIEDATHOMEData.self, from: data)
    }

    init(_ json: String, using encoding: String.Encoding = .utf8) throws {
        guard let data = json.data(using: encoding) else {
            throw NSError(domain: "JSONDecoding", code: 0, userInfo: nil)
        }
        try self.init(data: data)
    }

    init(fromURL url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    func with(
        category: StickyCategory? = nil,
        deepLink: String? = nil,
        notificationID: String? = nil,
        observationID: String? = nil,
        studentID: String? = nil,
        type: MagentaType? = nil
    ) -> TRIEDATHOMEData {
        return TRIEDATHOMEData(
            category: category ?? self.category,
            deepLink: deepLink ?? self.deepLink,
            notificationID: notificationID ?? self.notificationID,
            observationID: observationID ?? self.observationID,
            studentID: studentID ?? self.studentID,
            type: type ?? self.type
        )
    }

    func jsonData() throws -> Data {
        return try newJSONEncoder().encode(self)
    }

    func jsonString(encoding: String.Encoding = .utf8) throws -> String? {
        return String(data: try self.jsonData(), encoding: encoding)
    }
}

public enum MagentaType: String, Codable {
    case triedAtHome = "TRIED_AT_HOME"
}

// MARK: - Helper functions for creating encoders and decoders

func newJSONDecoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    if #available(iOS 10.0, OSX 10.12, tvOS 10.0, watchOS 3.0, *) {
        decoder.dateDecodingStrategy = .iso8601
    }
    return decoder
}

func newJSONEncoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    if #available(iOS 10.0, OSX 10.12, tvOS 10.0, watchOS 3.0, *) {
        encoder.dateEncodingStrategy = .iso8601
    }
    return encoder
}

