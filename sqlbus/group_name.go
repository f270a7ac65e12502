package sqlbus

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// maxGroupLength is how many characters the consumer_group column of an
// offsets table holds (VARCHAR(255) on PostgreSQL, and on MySQL in a table
// created before the column became bytes).
const maxGroupLength = 255

// maxMySQLGroupBytes is how many bytes the consumer_group column of a
// MySQL offsets table holds (VARBINARY(767)): 255 characters of four bytes
// each, as some emoji are, do not fit.
const maxMySQLGroupBytes = 767

// checkGroup refuses, as ErrInvalidConfig naming cqrs.ServiceConfig.Name, a
// consumer group (the service's name) the consumer_group column of d's
// offsets tables cannot hold: longer than maxGroupLength characters (or, on
// MySQL, maxMySQLGroupBytes bytes), not valid UTF-8 or holding a NUL byte.
// It runs before the subscription touches the database, which would
// otherwise refuse the group at every poll.
func checkGroup(d sourceflow.Dialect, group string) error {
	var problem string
	switch n := utf8.RuneCountInString(group); {
	case !utf8.ValidString(group):
		problem = "is not valid UTF-8, which the consumer_group column cannot hold"
	case strings.ContainsRune(group, 0):
		problem = "holds a NUL byte, which the consumer_group column cannot hold"
	case n > maxGroupLength:
		problem = fmt.Sprintf("is %d characters, longer than the %d the consumer_group column holds", n, maxGroupLength)
	case d == sourceflow.MySQL && len(group) > maxMySQLGroupBytes:
		problem = fmt.Sprintf("is %d bytes in UTF-8, longer than the %d the consumer_group column (VARBINARY(%d)) holds on MySQL",
			len(group), maxMySQLGroupBytes, maxMySQLGroupBytes)
	default:
		return nil
	}
	return sqldb.InvalidConfig("sqlbus", errors.New("cqrs.ServiceConfig.Name (the service's consumer group) "+problem))
}
