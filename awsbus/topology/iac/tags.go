package iac

import (
	"fmt"
	"maps"
	"slices"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// tagSet is the tags of one shared resource (a topic, a table), each with
// the service that declared it first.
type tagSet map[string]tagged

type tagged struct{ value, service string }

// add merges the tags of service. Services that share a topic or table may
// set different keys; one key set to two values is a conflict, as each
// service's provisioning would write its own value back.
func (s tagSet) add(what, name, service string, tags map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		prev, ok := s[k]
		if ok && prev.value != tags[k] {
			return fmt.Errorf("%w: %s %q: service %q tags it %s=%q and service %q %s=%q; "+
				"services that share it must agree on each tag they both set", ErrConflict, what, name, prev.service, k, prev.value, service, k, tags[k])
		}
		if !ok {
			s[k] = tagged{value: tags[k], service: service}
		}
	}
	return nil
}

// checkLimit reports a resource whose services set more tags together than
// SQS, SNS and DynamoDB allow on one resource (topology.MaxTags): each
// service's tags are within the limit, their union need not be, and the
// deployment (or Create of the last service) would fail tagging it.
func (s tagSet) checkLimit(what, name string) error {
	if len(s) <= topology.MaxTags {
		return nil
	}
	var services []string
	for _, t := range s {
		services = append(services, t.service)
	}
	slices.Sort(services)
	return fmt.Errorf("%w: %s %q: services %q set %d tags on it together, at most %d allowed; "+
		"services that share it must set fewer tags", ErrConflict, what, name, slices.Compact(services), len(s), topology.MaxTags)
}

func (s tagSet) values() map[string]string {
	out := make(map[string]string, len(s))
	for k, t := range s {
		out[k] = t.value
	}
	return out
}

// tagProps renders tags: a list of Key/Value pairs in CloudFormation, a map
// in Terraform; none without tags.
func tagProps(tags map[string]string) []prop {
	if len(tags) == 0 {
		return nil
	}
	list := make([]any, 0, len(tags))
	tf := make(map[string]any, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		list = append(list, map[string]any{"Key": k, "Value": tags[k]})
		tf[k] = tags[k]
	}
	return []prop{{cfn: "Tags", value: list}, {tf: "tags", value: tf}}
}
