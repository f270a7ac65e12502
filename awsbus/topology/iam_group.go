package topology

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// resourceGroup is the resources of one class granted one set of actions,
// sorted.
type resourceGroup struct {
	class     resourceClass
	actions   []string
	resources []string
}

// standsApart reports whether s keeps its own statement: a condition
// would apply to every resource it shared a statement with, and a pattern
// ("*", or the subscriptions of a topic, "<topic ARN>:*") is no resource
// of the plan, with a class of its own.
func standsApart(s IAMStatement) bool {
	return s.Condition != nil || slices.ContainsFunc(s.Resource, func(r string) bool { return strings.Contains(r, "*") })
}

// byResource regroups the statements of purposes by resource: each ARN is
// granted, in one statement, every action the purposes grant it, and the
// ARNs of one class (kind and roles), which New's plans grant the same
// actions, share the statement, named after the class. The statements
// that stand apart are returned unchanged, in their order.
func (b iamBuilder) byResource(purposes []IAMStatement) (grouped, apart []IAMStatement) {
	actions := map[string][]string{}
	for _, s := range purposes {
		if standsApart(s) {
			apart = append(apart, s)
			continue
		}
		for _, r := range s.Resource {
			actions[r] = append(actions[r], s.Action...)
		}
	}
	roles := b.roles()
	groups := map[string]*resourceGroup{}
	for arn, granted := range actions {
		granted = slices.Compact(slices.Sorted(slices.Values(granted)))
		class := classOf(arn, roles[arn])
		key := class.name() + " " + strings.Join(granted, " ")
		g := groups[key]
		if g == nil {
			g = &resourceGroup{class: class, actions: granted}
			groups[key] = g
		}
		g.resources = append(g.resources, arn)
	}
	return groupStatements(slices.Collect(maps.Values(groups))), apart
}

// groupStatements returns the statements of groups, ordered by class, each
// with its class's name as Sid, so that a statement keeps its Sid whatever
// else the plan holds. Should the resources of a class need different
// actions, the class has a statement per set of actions, ordered by
// actions, the later ones numbered: "CommandQueues2".
func groupStatements(groups []*resourceGroup) []IAMStatement {
	for _, g := range groups {
		slices.Sort(g.resources)
	}
	slices.SortFunc(groups, func(a, b *resourceGroup) int {
		return cmp.Or(compareClasses(a.class, b.class), slices.Compare(a.actions, b.actions))
	})
	out := make([]IAMStatement, 0, len(groups))
	named := map[string]int{}
	for _, g := range groups {
		sid := g.class.name()
		if named[sid]++; named[sid] > 1 {
			sid += strconv.Itoa(named[sid])
		}
		out = append(out, IAMStatement{Sid: sid, Effect: "Allow", Action: g.actions, Resource: g.resources})
	}
	return out
}
