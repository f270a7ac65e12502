package topology

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// resourceGroup is the resources granted one set of actions, and their
// classes, sorted.
type resourceGroup struct {
	actions   []string
	resources []string
	classes   []resourceClass
}

// sid names the group by its classes: "ConsumedQueues", or
// "CommandQueuesAndDeadLetterQueues" when resources of two classes need the
// same actions.
func (g *resourceGroup) sid() string {
	names := make([]string, 0, len(g.classes))
	for _, c := range g.classes {
		names = append(names, c.name())
	}
	return strings.Join(names, "And")
}

// standsApart reports whether s keeps its own statement: a condition, or
// the "*" resource, would apply to every resource it shared a statement
// with.
func standsApart(s IAMStatement) bool {
	return s.Condition != nil || slices.Contains(s.Resource, "*")
}

// byResource regroups the statements of purposes by resource: each ARN is
// granted, in one statement, every action the purposes grant it, and the
// ARNs granted the same actions share the statement. The statements that
// stand apart are returned unchanged, in their order.
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
		key := strings.Join(granted, " ")
		g := groups[key]
		if g == nil {
			g = &resourceGroup{actions: granted}
			groups[key] = g
		}
		g.resources = append(g.resources, arn)
		if c := classOf(arn, roles[arn]); !slices.Contains(g.classes, c) {
			g.classes = append(g.classes, c)
		}
	}
	return groupStatements(slices.Collect(maps.Values(groups))), apart
}

// groupStatements returns the statements of groups, ordered by their first
// class. Two groups of one name, which a Plan not made by New can give
// (a subscribed topic missing from its topics), are told apart by a number:
// "SubscribedTopics2".
func groupStatements(groups []*resourceGroup) []IAMStatement {
	for _, g := range groups {
		slices.Sort(g.resources)
		slices.SortFunc(g.classes, compareClasses)
	}
	slices.SortFunc(groups, func(a, b *resourceGroup) int {
		return cmp.Or(compareClasses(a.classes[0], b.classes[0]), strings.Compare(a.resources[0], b.resources[0]))
	})
	out := make([]IAMStatement, 0, len(groups))
	named := map[string]int{}
	for _, g := range groups {
		sid := g.sid()
		if named[sid]++; named[sid] > 1 {
			sid += strconv.Itoa(named[sid])
		}
		out = append(out, IAMStatement{Sid: sid, Effect: "Allow", Action: g.actions, Resource: g.resources})
	}
	return out
}
