package sqldb

import (
	"errors"
	"fmt"
)

// InvalidConfig returns the problems a configuration check found, the nil
// ones dropped, as one error wrapping ErrInvalidConfig and starting with
// pkg, the name of the package whose configuration it is ("sqlbus"), or
// nil when there are none.
func InvalidConfig(pkg string, problems ...error) error {
	if err := errors.Join(problems...); err != nil {
		return fmt.Errorf("%s: %w: %w", pkg, ErrInvalidConfig, err)
	}
	return nil
}
