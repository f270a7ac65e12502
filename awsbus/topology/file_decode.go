package topology

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/sourceflow-go/sourceflow"
)

// DecodeFile reads a topology file strictly and checks it: YAML syntax,
// unknown fields, the format version, destination kinds, duplicate
// destinations, the checked fields, and everything New rejects. Every
// problem is reported at once, wrapped in ErrInvalidFile, naming the field
// and its line ("destinations[1].kind (line 9): ..."); errors.Is also
// matches New's sentinels (ErrFIFOMismatch, ErrDuplicateRoute, ...).
func DecodeFile(r io.Reader) (File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return File{}, fmt.Errorf("read topology file: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return File{}, fmt.Errorf("%w: %w", ErrInvalidFile, err)
	}
	if len(doc.Content) == 0 {
		return File{}, fmt.Errorf("%w: the file is empty; it needs version, service and destinations", ErrInvalidFile)
	}
	lines := fileLines{doc: &doc}
	f, err := decodeOne(data, lines)
	if err != nil {
		return File{}, fmt.Errorf("%w: %s", ErrInvalidFile, err)
	}
	// The file's own checks do not stop New's: a problem of one kind does
	// not hide the others until it is fixed.
	checkErr := f.check(lines)
	plan, err := f.Plan()
	if err != nil {
		return File{}, fmt.Errorf("%w: %w", ErrInvalidFile, errors.Join(checkErr, withoutRepeats(checkErr, f.renamePlanError(lines, err))))
	}
	if err := errors.Join(checkErr, f.checkDerived(lines, plan)); err != nil {
		return File{}, fmt.Errorf("%w: %w", ErrInvalidFile, err)
	}
	return f, nil
}

// check reports the problems New cannot see in a Binding: the version, a
// service name that is no printable line (checkServiceName), kinds,
// duplicate or empty destinations, and fields that contradict the name or
// the kind.
func (f File) check(lines fileLines) error {
	var errs []error
	if f.Version != FileVersion {
		errs = append(errs, lines.errorf(fieldPath{"version"}, "is %d, want %d", f.Version, FileVersion))
	}
	if err := checkServiceName(f.Service); err != nil {
		errs = append(errs, lines.errorf(fieldPath{"service"}, "%w", err))
	}
	if len(f.Destinations) == 0 {
		errs = append(errs, lines.errorf(fieldPath{"destinations"}, "at least one destination is required"))
	}
	seen := map[string]int{}
	for i, d := range f.Destinations {
		errs = append(errs, d.check(lines, fieldPath{"destinations", i}))
		if prev, ok := seen[d.Name]; ok && d.Name != "" {
			errs = append(errs, lines.errorf(fieldPath{"destinations", i, "name"},
				"%q is already described by destinations[%d]; merge the two entries", d.Name, prev))
		}
		seen[d.Name] = i
	}
	return errors.Join(errs...)
}

func (d FileDestination) check(lines fileLines, p fieldPath) error {
	var errs []error
	fail := func(field string, format string, args ...any) {
		errs = append(errs, lines.errorf(append(slices.Clone(p), field), format, args...))
	}
	kind := parseKind(d.Kind)
	if err := validateDestinationName(d.Name, kind); err != nil {
		fail("name", "%w", err)
	}
	if kind == 0 {
		fail("kind", "%q is not %q (an SQS queue) or %q (an SNS topic)", d.Kind, FileKindCommand, FileKindEvent)
	}
	if d.FIFO != nil && *d.FIFO != IsFIFO(d.Name) {
		fail("fifo", "is %v but the name %q decides: FIFO names end in %q", *d.FIFO, d.Name, FIFOSuffix)
	}
	if len(d.Types) == 0 && d.Listen == nil {
		fail("types", "at least one type is required (or listen.handles)")
	}
	if d.Listen == nil && lines.present(append(slices.Clone(p), "listen")) {
		fail("listen", "is empty: give listen.handles, or remove listen when the service does not consume %q", d.Name)
	}
	if d.Listen != nil && d.Listen.Queue != "" && kind == sourceflow.KindCommand {
		errs = append(errs, lines.errorf(append(slices.Clone(p), "listen", "queue"),
			"is for event destinations only; a command destination is consumed from %q itself", d.Name))
	}
	if d.Listen != nil && d.Listen.FilterTypes != nil && kind == sourceflow.KindCommand {
		errs = append(errs, lines.errorf(append(slices.Clone(p), "listen", "filter_types"),
			"is for event destinations only; a command queue has no subscription to filter"))
	}
	return errors.Join(errs...)
}

// validateDestinationName checks name by AWS's rules for its kind, or as
// the ARN of a topic or queue of another account or region.
func validateDestinationName(name string, kind sourceflow.Kind) error {
	switch {
	case name == "":
		return errors.New("required")
	case IsARN(name) && (kind == sourceflow.KindCommand || kind == sourceflow.KindEvent):
		_, err := ParseForeign(name, kind)
		return err
	case kind == sourceflow.KindCommand:
		return ValidateQueueName(name)
	case kind == sourceflow.KindEvent:
		return ValidateTopicName(name)
	}
	return nil
}
