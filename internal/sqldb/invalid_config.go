package sqldb

import "errors"

// InvalidConfig returns the problems a configuration check found, the nil
// ones dropped, as one error matching ErrInvalidConfig and each problem,
// or nil when there are none. Its message names pkg, the public package
// whose configuration it is ("sqlbus"), and not this one:
// "sqlbus: invalid configuration: Config.DB is required".
func InvalidConfig(pkg string, problems ...error) error {
	if err := errors.Join(problems...); err != nil {
		return &invalidConfigError{pkg: pkg, problems: err}
	}
	return nil
}

// invalidConfigError is InvalidConfig's error.
type invalidConfigError struct {
	pkg      string
	problems error
}

// Error implements error.
func (e *invalidConfigError) Error() string {
	return e.pkg + ": invalid configuration: " + e.problems.Error()
}

// Unwrap returns ErrInvalidConfig and the problems, so that errors.Is
// matches both.
func (e *invalidConfigError) Unwrap() []error { return []error{ErrInvalidConfig, e.problems} }
