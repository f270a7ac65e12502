package cqrs

import "github.com/sourceflow-go/sourceflow/internal/errtext"

// handledTypesText names the types a destination's handlers take (sorted,
// as dispatcher.types returns them), for the error of a message of a type
// none of them takes, so that a misspelt name shows at once: the first
// errtext.MaxListed, quoted, then how many more.
func handledTypesText(types []string) string {
	if len(types) == 0 {
		return "no type is handled there"
	}
	return "types handled there: " + errtext.List(len(types), ", ", " ", func(i int) string { return quotedID(types[i]) })
}
