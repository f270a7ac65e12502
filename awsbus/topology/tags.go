package topology

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// Tag limits shared by SQS, SNS and DynamoDB.
const (
	MaxTags        = 50
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// validateTags reports every tag AWS would refuse: more than MaxTags, an
// empty or over-long key, a key starting with the reserved "aws:", an
// over-long value.
func validateTags(tags map[string]string) error {
	var errs []error
	if len(tags) > MaxTags {
		errs = append(errs, fmt.Errorf("%d tags, at most %d", len(tags), MaxTags))
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		switch n := utf8.RuneCountInString(k); {
		case n == 0 || n > maxTagKeyLen:
			errs = append(errs, fmt.Errorf("tag key %q: 1 to %d characters", k, maxTagKeyLen))
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			errs = append(errs, fmt.Errorf("tag key %q: the prefix aws: is reserved for AWS", k))
		}
		if utf8.RuneCountInString(tags[k]) > maxTagValueLen {
			errs = append(errs, fmt.Errorf("tag %q: value over %d characters", k, maxTagValueLen))
		}
	}
	return errors.Join(errs...)
}

// tagDiff returns the wanted tags that have is missing or holds with
// another value. Tags that have carries beyond want are kept: other tools
// (cost allocation, ownership) add their own.
func tagDiff(want, have map[string]string) map[string]string {
	diff := map[string]string{}
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			diff[k] = v
		}
	}
	return diff
}

// missingTags returns the wanted tags that have lacks: what Create writes
// on a resource several services share, where a value another service set
// is theirs to keep.
func missingTags(want, have map[string]string) map[string]string {
	diff := map[string]string{}
	for k, v := range want {
		if _, ok := have[k]; !ok {
			diff[k] = v
		}
	}
	return diff
}

// reportTagDiff adds a drift per wanted tag that have lacks or holds with
// another value. On a resource the services share (shared: a topic, a
// table) Create keeps another service's value, so that drift is Kept.
func reportTagDiff(rep *DriftReport, resource, name string, want, have map[string]string, shared bool) {
	diff := tagDiff(want, have)
	for _, k := range slices.Sorted(maps.Keys(diff)) {
		if got, ok := have[k]; ok {
			report := rep.add
			if shared {
				report = rep.keep
			}
			report(resource, name, "tag %s is %q, want %q", k, got, diff[k])
			continue
		}
		rep.add(resource, name, "tag %s is missing, want %q", k, diff[k])
	}
}
