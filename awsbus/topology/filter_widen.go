package topology

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/sourceflow-go/sourceflow"
)

// widenFilter returns the filter policy an existing subscription gets, and
// whether it differs from actual, its current one, when the plan's
// subscription lets types through ("{}" removes the filter).
//
// A filter of types only widens. Instances of two versions of a service
// share one subscription during a rolling deploy, and each one's start
// reconciles it: were the filter set to each plan's types, an instance of
// the older version would take a newer one's type out again, and SNS would
// drop that type's events without a trace. So the types a filter already
// lets through are kept, and a plan's types are added to them. A type no
// version handles any more stays in the filter until it is removed by
// hand; its events then reach the queue and are dead-lettered as unknown
// types. When the types would be more than the 150 SNS takes, the error is
// a *filterOverflowError and nothing changes.
//
// A subscription without a filter (made by an earlier version, or by hand)
// gets the plan's, as does one whose filter is not a list of types on
// sourceflow.MetaType. A plan without types removes the filter.
func widenFilter(actual string, types []string) (filter string, change bool, err error) {
	current, ours := filterTypesOf(actual)
	if len(types) == 0 {
		return "{}", current != nil || !ours, nil
	}
	if !ours || current == nil {
		if len(types) > maxFilterTypes {
			return "", false, &filterOverflowError{Types: len(types)}
		}
		return FilterPolicy(types), true, nil
	}
	union := slices.Clone(current)
	for _, t := range types {
		if !slices.Contains(union, t) {
			union = append(union, t)
		}
	}
	if len(union) == len(current) {
		return actual, false, nil
	}
	if len(union) > maxFilterTypes {
		return "", false, &filterOverflowError{Types: len(union)}
	}
	slices.Sort(union)
	return FilterPolicy(union), true, nil
}

// filterOverflowError reports a subscription filter that would name more
// types than the 150 SNS takes: its current types plus the plan's.
type filterOverflowError struct {
	// Types is how many types the filter would name.
	Types int
}

// Error says what to do.
func (e *filterOverflowError) Error() string {
	return fmt.Sprintf("its filter policy would name %d types, more than the %d SNS takes: "+
		"remove from it the types no version of the service handles any more", e.Types, maxFilterTypes)
}

// filterTypesOf reads a filter policy made by FilterPolicy: the types it
// lets through, nil for no filter ("" or "{}"). ours is false for a policy
// of any other shape.
func filterTypesOf(policy string) (types []string, ours bool) {
	if policy == "" {
		return nil, true
	}
	var m map[string][]string
	if err := json.Unmarshal([]byte(policy), &m); err != nil {
		return nil, false
	}
	switch {
	case len(m) == 0:
		return nil, true
	case len(m) == 1 && len(m[sourceflow.MetaType]) > 0:
		return m[sourceflow.MetaType], true
	}
	return nil, false
}
