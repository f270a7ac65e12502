package iac

import (
	"fmt"
	"maps"
	"slices"
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
