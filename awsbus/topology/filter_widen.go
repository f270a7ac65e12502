package topology

import (
	"encoding/json"
	"slices"

	"github.com/sourceflow-go/sourceflow"
)

// widenFilter returns the filter policy an existing subscription gets, and
// whether it differs from actual, its current one, when the plan's
// subscription lets types through ("{}" removes the filter).
//
// A filter only widens. Instances of two versions of a service share one
// subscription during a rolling deploy, and each one's start reconciles
// it: were the filter set to each plan's types, an instance of the older
// version would take a newer one's type out again, and SNS would drop that
// type's events without a trace. So the types a filter already lets
// through are kept, and a plan's types are added to them. A type no version
// handles any more stays in the filter until it is removed by hand; its
// events then reach the queue and are dead-lettered as unknown types.
//
// A plan without types (no filter: more than SNS's 150 values) removes the
// filter, which widens it to every type. A subscription without a filter
// gets the plan's; one whose filter is not a list of types on
// sourceflow.MetaType (set by hand or by another tool) gets the plan's in
// its place. Past 150 types the union becomes no filter.
func widenFilter(actual string, types []string) (filter string, change bool) {
	current, ours := filterTypesOf(actual)
	if len(types) == 0 {
		return "{}", current != nil || !ours
	}
	if !ours || current == nil {
		return FilterPolicy(types), true
	}
	union := slices.Clone(current)
	for _, t := range types {
		if !slices.Contains(union, t) {
			union = append(union, t)
		}
	}
	if len(union) == len(current) {
		return actual, false
	}
	if len(union) > maxFilterTypes {
		return "{}", true
	}
	slices.Sort(union)
	return FilterPolicy(union), true
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
