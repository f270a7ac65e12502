package metrics

// Bounds on the sourceflow.type values that get series of their own. The
// type comes from message metadata, which a foreign producer controls:
// without bounds, junk types would grow the series (and the memory holding
// them) without limit, and past the SDK's cardinality limit (2000 attribute
// sets per instrument by default) push real types into its overflow series.
// A type past a bound is recorded as OtherType instead, keeping its
// destination. Each admitted type costs up to four series per consume
// instrument (one per outcome), so maxTypedKeys keeps every instrument well
// under the SDK's default limit.
//
// A type a consumer receives is admitted on trial when first seen, within
// the small trial bounds, and for good (within maxTypesPerDestination) once
// one of its messages succeeded; a type first seen once the trial bounds
// are reached is recorded as OtherType until one of its messages
// succeeded. Junk types, refused for good, thus fill the trial slots only
// and never take a real type's place. A type a publisher sends, the
// service's own, is admitted for good when first seen.
const (
	maxTypesPerDestination = 128
	maxTrialPerDestination = 32
	maxTypedKeys           = 400
	maxTrialKeys           = 100
	// maxTypeLength is the longest type, in bytes, recorded as itself; a
	// longer one, or one that is not valid UTF-8, is recorded as OtherType.
	maxTypeLength = 256
)

// typeBudget counts the types with series of their own, within the bounds
// above. Its holder serialises access.
type typeBudget struct {
	kept     map[string]int // types admitted for good, per destination
	trial    map[string]int // types on trial, per destination
	typed    int            // types with series of their own, in all
	trialAll int            // types on trial, in all
}

// room reports whether one more type may be admitted on dest, on trial or
// for good.
func (b *typeBudget) room(dest string, trial bool) bool {
	switch {
	case b.typed >= maxTypedKeys:
		return false
	case trial:
		return b.trial[dest] < maxTrialPerDestination && b.trialAll < maxTrialKeys
	}
	return b.kept[dest] < maxTypesPerDestination
}

// take counts one more type on dest, on trial or for good, unless that
// would cross a bound.
func (b *typeBudget) take(dest string, trial bool) bool {
	if !b.room(dest, trial) {
		return false
	}
	if b.kept == nil {
		b.kept, b.trial = map[string]int{}, map[string]int{}
	}
	b.typed++
	if trial {
		b.trial[dest]++
		b.trialAll++
	} else {
		b.kept[dest]++
	}
	return true
}

// keep turns a type on trial on dest into one admitted for good, freeing
// its trial slot, unless dest has maxTypesPerDestination such types (the
// type then stays on trial).
func (b *typeBudget) keep(dest string) bool {
	if b.kept[dest] >= maxTypesPerDestination {
		return false
	}
	b.trial[dest]--
	b.trialAll--
	b.kept[dest]++
	return true
}
