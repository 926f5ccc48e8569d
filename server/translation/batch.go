package translation

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// text is one text to put into its readers' languages.
type text struct {
	body   string
	names  []string // to keep as they are
	school string   // whose usage it counts in ("" for none)
	// targets are its readers' languages; author is its author's: most
	// likely the text's, so it goes last (by then a translation has told
	// the text's language, and a call that would only return the text as
	// it is is saved).
	targets []string
	author  string
}

// result is what translateLocked made, for write.
type result struct {
	rows  []models.Translation
	usage map[usageKey]int64
	// callErr is the provider's failure that ended the calls (what was
	// made before it is in rows).
	callErr error
}

type usageKey struct {
	school, target string
	shard          int16
}

// The provider's limits on one call (Cloud Translation's v3 API takes up
// to 1,024 texts and recommends at most 30,000 characters a request).
const (
	callTexts = 128
	callChars = 25000
)

// usageShards is how many rows a school's usage in a month and language
// is spread over (the migration's CHECK says the same).
const usageShards = 16

// UsageShard is the usage row text's characters are counted in: picked by
// its hash, so that translations of different texts seldom wait on one
// row's lock.
func UsageShard(text string) int16 { return int16(Hash(text)[0] % usageShards) }

// lockKey is the advisory lock a text's translations are made under.
func lockKey(h []byte) int64 { return int64(binary.BigEndian.Uint64(h[:8])) }

// translateLocked puts each text into each of its targets it is not in yet
// and is not written in, in tx, under the texts' locks (taken in one
// statement, in the locks' order, so two drains never wait on each other
// in a circle): a burst of identical texts calls the provider once a
// language. The calls go a language at a time with all the texts that
// need it (up to callTexts and callChars a call): first into the readers'
// languages other than each text's author's, then into the author's for
// the texts whose language is still unknown. A provider error ends the
// calls and is in the result with what was made before it.
func (s *Service) translateLocked(ctx context.Context, tx *gorm.DB, texts []text) (result, error) {
	res := result{usage: map[usageKey]int64{}}
	// One entry a distinct text, its targets merged.
	type entry struct {
		text
		hash  []byte
		key   int64
		done  map[string]bool
		chars int32
	}
	byHash := map[string]*entry{}
	var entries []*entry
	for _, t := range texts {
		h := Hash(t.body)
		if e, ok := byHash[string(h)]; ok {
			for _, l := range t.targets {
				if !slices.Contains(e.targets, l) {
					e.targets = append(e.targets, l)
				}
			}
			continue
		}
		e := &entry{text: t, hash: h, key: lockKey(h), done: map[string]bool{}, chars: int32(len([]rune(t.body)))}
		e.targets = slices.Clone(t.targets)
		byHash[string(h)] = e
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return res, nil
	}
	slices.SortFunc(entries, func(a, b *entry) int { return cmp.Compare(a.key, b.key) })
	// The locks, then what is there as their last holders left it, in one
	// call (migration 00029's function takes a fresh snapshot after each
	// wait).
	keys := make(models.Array[int64], len(entries))
	hashes := make(models.Array[string], len(entries))
	for i, e := range entries {
		keys[i], hashes[i] = e.key, hex.EncodeToString(e.hash)
	}
	var have []struct {
		Ord            int
		Target, Source string
	}
	if err := tx.Raw(`SELECT u.ord, t.target, t.source
		FROM unnest(CAST(? AS bigint[]), CAST(? AS text[])) WITH ORDINALITY AS u(k, h, ord)
		CROSS JOIN LATERAL translation_lock(u.k, decode(u.h, 'hex')) t`, keys, hashes).Scan(&have).Error; err != nil {
		return res, err
	}
	for _, h := range have {
		// The languages a text is in already: translated into, or written in.
		e := entries[h.Ord-1]
		e.done[h.Target], e.done[h.Source] = true, true
	}
	// Two rounds: the targets other than the author's language, then the
	// author's.
	for round := range 2 {
		need := map[string][]*entry{}
		for _, e := range entries {
			for _, l := range e.targets {
				if !e.done[l] && (l == e.author) == (round == 1) {
					need[l] = append(need[l], e)
				}
			}
		}
		langs := make([]string, 0, len(need))
		for l := range need {
			langs = append(langs, l)
		}
		slices.Sort(langs)
		for _, target := range langs {
			list := need[target]
			for len(list) > 0 {
				// One call: as many texts as its limits take.
				var batch []*entry
				var in []string
				chars := 0
				for len(list) > 0 && len(batch) < callTexts {
					p := Protect(list[0].body, list[0].names)
					if len(batch) > 0 && chars+len(p) > callChars {
						break
					}
					batch, in, chars = append(batch, list[0]), append(in, p), chars+len(p)
					list = list[1:]
				}
				cctx, cancel := context.WithTimeout(ctx, s.CallTimeout)
				out, err := s.Translator.Translate(cctx, in, target)
				cancel()
				if err == nil && len(out) != len(in) {
					err = fmt.Errorf("%d results for %d texts", len(out), len(in))
				}
				if err != nil {
					res.callErr = fmt.Errorf("translation into %s: %w", target, err)
					return res, nil
				}
				for i, e := range batch {
					source := Lang(out[i].Source)
					if source == "" {
						source = "und"
					}
					row := models.Translation{Hash: e.hash, Target: target, Text: Unprotect(out[i].Text), Source: source, Chars: e.chars}
					if source == target {
						row.Text = e.body // in its own language: the original
					}
					res.rows = append(res.rows, row)
					e.done[target] = true
					if e.school != "" {
						res.usage[usageKey{school: e.school, target: target, shard: UsageShard(e.body)}] += int64(e.chars)
					}
					s.Characters.WithLabelValues(target).Add(float64(e.chars))
					if source != "und" && !e.done[source] {
						// The original's row says the text's language.
						res.rows = append(res.rows, models.Translation{Hash: e.hash, Target: source, Text: e.body, Source: source})
						e.done[source] = true
					}
				}
			}
		}
	}
	return res, nil
}

// retry is a queue row to try again after a delay.
type retry struct {
	id    int64
	after time.Duration
}

// write stores res's translations and usage, removes the queue rows done
// and puts those in retries back with their delays, in one statement.
func (s *Service) write(tx *gorm.DB, res result, done []int64, retries []retry) error {
	if len(res.rows) == 0 && len(done) == 0 && len(retries) == 0 {
		return nil
	}
	var retryIDs, retryMS []int64
	for _, r := range retries {
		retryIDs, retryMS = append(retryIDs, r.id), append(retryMS, r.after.Milliseconds())
	}
	var h, target, body, source []string
	var chars []int64
	for _, r := range res.rows {
		h, target, body, source = append(h, hex.EncodeToString(r.Hash)), append(target, r.Target), append(body, r.Text), append(source, r.Source)
		chars = append(chars, int64(r.Chars))
	}
	// The usage rows in one order, whichever drain writes them: two
	// drains adding to the same rows lock them in the same order and never
	// deadlock.
	keys := make([]usageKey, 0, len(res.usage))
	for k := range res.usage {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b usageKey) int {
		return cmp.Or(strings.Compare(a.school, b.school), strings.Compare(a.target, b.target), cmp.Compare(a.shard, b.shard))
	})
	var school, utarget []string
	var shard, uchars []int64
	for _, k := range keys {
		school, utarget, shard, uchars = append(school, k.school), append(utarget, k.target), append(shard, int64(k.shard)), append(uchars, res.usage[k])
	}
	now := time.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	return tx.Exec(`WITH done AS (DELETE FROM translation_queue WHERE id = ANY(CAST(@done AS bigint[]))),
		retry AS (UPDATE translation_queue q SET attempts = q.attempts + 1, not_before = now() + r.ms * interval '1 millisecond'
			FROM unnest(CAST(@retry AS bigint[]), CAST(@retryms AS bigint[])) AS r(id, ms) WHERE q.id = r.id),
		t AS (INSERT INTO translations (hash, target, text, source, chars, created_at)
			SELECT decode(r.h, 'hex'), r.target, r.body, r.source, r.chars, @now
			FROM unnest(CAST(@h AS text[]), CAST(@target AS text[]), CAST(@body AS text[]), CAST(@source AS text[]), CAST(@chars AS bigint[])) AS r(h, target, body, source, chars)
			ON CONFLICT DO NOTHING)
		INSERT INTO translation_usage (school_id, month, target, shard, chars)
		SELECT CAST(u.school AS uuid), @month, u.target, u.shard, u.chars
		FROM unnest(CAST(@school AS text[]), CAST(@utarget AS text[]), CAST(@shard AS bigint[]), CAST(@uchars AS bigint[])) AS u(school, target, shard, chars)
		ON CONFLICT (school_id, month, target, shard) DO UPDATE SET chars = translation_usage.chars + EXCLUDED.chars`,
		map[string]any{"done": models.Array[int64](done), "retry": models.Array[int64](retryIDs), "retryms": models.Array[int64](retryMS), "now": now, "month": month,
			"h": models.Array[string](h), "target": models.Array[string](target), "body": models.Array[string](body),
			"source": models.Array[string](source), "chars": models.Array[int64](chars),
			"school": models.Array[string](school), "utarget": models.Array[string](utarget),
			"shard": models.Array[int64](shard), "uchars": models.Array[int64](uchars)}).Error
}
