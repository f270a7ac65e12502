package cqrs

import (
	"slices"

	"github.com/sourceflow-go/sourceflow"
)

// rebuiltViews returns the view models of the replay's scope that it
// rebuilt entirely, and records the others, sorted as "view/id", in the
// scope's viewsKept.
func (s *Service) rebuiltViews(sc *replayScope) map[[2]string]Document {
	docs := sc.views.snapshot()
	projected := map[string][]string{} // by view
	for key := range docs {
		if _, ok := projected[key[0]]; !ok {
			projected[key[0]] = s.projectedTypes(key[0])
		}
		if !viewRebuilt(sc, projected[key[0]], key[1]) {
			sc.viewsKept = append(sc.viewsKept, key[0]+"/"+key[1])
			delete(docs, key)
		}
	}
	slices.Sort(sc.viewsKept)
	return docs
}

// viewRebuilt reports whether the replay can have rebuilt the model id of
// a view that projects types entirely: the model is the replayed entity's,
// and the replay raised every one of types, so no event the stored model
// holds came from elsewhere.
func viewRebuilt(sc *replayScope, types []string, id string) bool {
	if id != sc.entityID {
		return false
	}
	for _, t := range types {
		if !sc.hasRaised(t) {
			return false
		}
	}
	return len(types) > 0
}

// projectedTypes returns the event types view projects: those with a
// handler named "<view>/<type>" (see addTypedHandler). A reaction of an
// aggregate named like the view is named the same way and counts too, which
// can only keep more view models, never overwrite one.
func (s *Service) projectedTypes(view string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, d := range s.dispatchers {
		if d.kind != sourceflow.KindEvent {
			continue
		}
		for typeName, handlers := range d.handlers {
			for _, h := range handlers {
				if h.name == view+"/"+typeName {
					out = append(out, typeName)
				}
			}
		}
	}
	return out
}
