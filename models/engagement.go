package models

// EngagementReport is an admin's view of how families and staff engage,
// per classroom and teacher, over a date range.
type EngagementReport struct {
	SchoolID string
	From, To string
	Rows     []*EngagementRow
	// Translation is what the school had translated in the months the
	// range touches, per language (the provider's cost).
	Translation []*TranslationMonth
	// TryAtHome is the school's tried-rate over the range (for a teacher,
	// their own notes').
	TryAtHome *TryAtHomeFigures
}

// TryAtHomeFigures: shared notes that suggested something to try at home,
// those a guardian answered "we tried it", and the share (nil: none).
type TryAtHomeFigures struct {
	Suggestions, Tried int
	Rate               *float64
}

// TranslationMonth is a school's translated characters in one month
// (YYYY-MM) and language.
type TranslationMonth struct {
	Month, Language string
	Characters      int
}

// EngagementRow is one classroom and one of its teachers. Rates and
// medians are nil when there is nothing to measure.
type EngagementRow struct {
	ClassroomID, ClassroomName string
	TeacherID, TeacherName     string

	PositiveNotes, ConcernNotes      int
	SharedNotes, AcknowledgedNotes   int
	AcknowledgementRate              *float64
	MedianSecondsToAcknowledge       *float64
	Guardians, GuardiansWithDevice   int
	GuardiansReached                 *float64
	MedianSecondsToFirstResponse     *float64
	UnansweredParentMessages         int
	Students, StudentsWithConference int
	ConferenceBookingRate            *float64
	TryAtHome                        *TryAtHomeFigures
}
