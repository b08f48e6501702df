package bootcheck

import "sort"

// sortedSeen returns the milestones that were seen, in time order; ties
// keep their order in ms.
func sortedSeen(ms []Milestone) []Milestone {
	var seen []Milestone
	for _, m := range ms {
		if m.Seen {
			seen = append(seen, m)
		}
	}
	sort.SliceStable(seen, func(i, j int) bool { return seen[i].At < seen[j].At })
	return seen
}
