package cqrs

import (
	"strconv"
	"strings"
)

// maxNamedTypes bounds how many handled types the error of a message of
// an unknown type names.
const maxNamedTypes = 10

// handledTypesText names the types a destination's handlers take (sorted,
// as dispatcher.types returns them), for the error of a message of a type
// none of them takes, so that a misspelt name shows at once: the first
// maxNamedTypes, quoted, then how many more.
func handledTypesText(types []string) string {
	if len(types) == 0 {
		return "no type is handled there"
	}
	shown := types[:min(len(types), maxNamedTypes)]
	quoted := make([]string, len(shown))
	for i, name := range shown {
		quoted[i] = quotedID(name)
	}
	text := "types handled there: " + strings.Join(quoted, ", ")
	if more := len(types) - len(shown); more > 0 {
		text += " and " + strconv.Itoa(more) + " more"
	}
	return text
}
