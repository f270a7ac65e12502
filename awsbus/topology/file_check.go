package topology

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sourceflow-go/sourceflow"
)

// renamedError is an error of New whose message names the file's fields
// instead of the Binding's and Options'; it unwraps to New's error, so
// errors.Is matches New's sentinels.
type renamedError struct {
	msg string
	err error
}

func (e *renamedError) Error() string { return e.msg }
func (e *renamedError) Unwrap() error { return e.err }

// renamePlanError rewrites New's field names (Binding.Routes[3],
// Binding.Listeners[1], Binding.Service, VisibilityTimeout, ...) as the
// file's paths with their lines.
func (f File) renamePlanError(lines fileLines, err error) error {
	_, fields := f.binding()
	var pairs []string
	for i, p := range fields.routes {
		pairs = append(pairs, fmt.Sprintf("Binding.Routes[%d]", i), lines.at(p))
	}
	for i, p := range fields.listeners {
		pairs = append(pairs, fmt.Sprintf("Binding.Listeners[%d]", i), lines.at(p))
	}
	pairs = append(pairs,
		"Binding.Service", lines.at(fieldPath{"service"}),
		"VisibilityTimeout:", lines.at(fieldPath{"queues", "visibility_timeout"})+":",
		"WaitTime:", lines.at(fieldPath{"queues", "wait_time"})+":",
		"MaxReceiveCount:", lines.at(fieldPath{"dead_letter", "max_receive_count"})+":",
		"KMSKeyID:", lines.at(fieldPath{"encryption", "kms_key_id"})+":",
		"Tags:", lines.at(fieldPath{"tags"})+":",
	)
	msg := strings.TrimPrefix(err.Error(), ErrInvalidPlan.Error()+": ")
	return &renamedError{msg: strings.NewReplacer(pairs...).Replace(msg), err: err}
}

// checkDerived reports checked fields that differ from what plan derives:
// the filter types of each listened topic's subscription.
func (f File) checkDerived(lines fileLines, plan Plan) error {
	var errs []error
	for i, d := range f.Destinations {
		if d.Listen == nil || d.Listen.FilterTypes == nil || parseKind(d.Kind) != sourceflow.KindEvent {
			continue
		}
		want := subscriptionOf(plan, d.Name).FilterTypes
		got := slices.Sorted(slices.Values(d.Listen.FilterTypes))
		if !slices.Equal(got, want) {
			errs = append(errs, lines.errorf(fieldPath{"destinations", i, "listen", "filter_types"},
				"is %v but listen.handles and types give %v (%s); correct or remove it",
				d.Listen.FilterTypes, orAll(want), "the filter names the handled types"))
		}
	}
	return errors.Join(errs...)
}

func orAll(types []string) string {
	if len(types) == 0 {
		return "[] (no filter: more handled types than SNS's filter policy takes)"
	}
	return fmt.Sprint(types)
}

// withoutRepeats returns renamed, a renamed plan error, without the lines
// whose problem a line of checked already says: a bad destination name is
// found by both checks, at the name and again where the plan uses it; a
// kind the file misnames, at the kind and again as New's kind 0 (see
// unknownKind).
func withoutRepeats(checked error, renamed error) error {
	r, ok := renamed.(*renamedError)
	if checked == nil || !ok {
		return renamed
	}
	said := map[string]bool{}
	for _, line := range strings.Split(checked.Error(), "\n") {
		said[problemOf(line)] = true
	}
	var kept []string
	for _, line := range strings.Split(r.msg, "\n") {
		if problem := problemOf(line); !said[problem] && !unknownKind(problem) {
			kept = append(kept, line)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return &renamedError{msg: strings.Join(kept, "\n"), err: r.err}
}

// problemOf is a problem line without the field it names: what follows
// "FIELD (line N): ".
func problemOf(line string) string {
	if _, problem, ok := strings.Cut(line, "): "); ok {
		return problem
	}
	return line
}

// unknownKind reports whether problem is New's of a destination whose kind
// is 0, which a file's binding gives only for a kind the file's check
// reports (see parseKind and FileDestination.check).
func unknownKind(problem string) bool {
	return strings.HasPrefix(problem, "destination ") && strings.HasSuffix(problem, fmt.Sprintf(unknownKindFormat, 0))
}
