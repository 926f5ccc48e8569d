package push

// OutcomeGap is outcomeGap, for the tests of package push_test.
const OutcomeGap = outcomeGap

// Concurrency is how many messages a fan-out sends at once.
func (c Config) Concurrency() int { return c.concurrency() }
