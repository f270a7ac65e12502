package topology

// each returns f of each element of xs, in their order: the names or ARNs
// of a plan's resources, for instance.
func each[T, R any](xs []T, f func(T) R) []R {
	out := make([]R, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}
