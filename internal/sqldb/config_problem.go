package sqldb

import "strings"

// rootPrefix starts the text of the root package's sentinel errors
// ("sourceflow: unknown dialect").
const rootPrefix = "sourceflow: "

// fieldProblem is the configuration problem of field that err, an error of
// the root package, describes: it reads "<field>: <err without the root
// package's name>", so that the public package's configuration error names
// that package alone, and errors.Is matches err's sentinel as before.
func fieldProblem(field string, err error) error {
	return &configProblem{msg: field + ": " + strings.TrimPrefix(err.Error(), rootPrefix), err: err}
}

// configProblem is fieldProblem's error.
type configProblem struct {
	msg string
	err error
}

// Error implements error.
func (p *configProblem) Error() string { return p.msg }

// Unwrap returns the root package's error.
func (p *configProblem) Unwrap() error { return p.err }
