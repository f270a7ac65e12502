// Package errtext words errors of the module's packages. Wrap wraps an
// error in the words of the package that returns it, naming that package
// once: Wrap's error reads "<context>: <err>", where err's text leaves out a
// leading prefix the context already says (the package's own name, or the
// name of a package whose sentinels it wraps), and errors.Is and errors.As
// reach err. WrapOp words the error of an operation on a subject as Wrap
// does, and carries the operation and the subject as data (OpError), for a
// caller that would otherwise name them again. Quote quotes a text a
// sender chose for an error text, bounded. List names the first ten of many
// items, then how many more.
//
// It is internal: it only serves the module's own packages.
package errtext
