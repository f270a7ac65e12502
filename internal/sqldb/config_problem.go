package sqldb

import "github.com/sourceflow-go/sourceflow/internal/errtext"

// rootPrefix starts the text of the root package's sentinel errors
// ("sourceflow: unknown dialect").
const rootPrefix = "sourceflow: "

// fieldProblem is the configuration problem of field that err, an error of
// the root package, describes: it reads "<field>: <err without the root
// package's name>", so that the public package's configuration error names
// that package alone, and errors.Is matches err's sentinel as before.
func fieldProblem(field string, err error) error {
	return errtext.Wrap(field, rootPrefix, err)
}
