# rule: a group is part of another, never a member of it
# expect: id:alpha-brigade kgsh:Organization-notMemberOf sh:MaxCountConstraintComponent
INSERT DATA { id:alpha-brigade kg:memberOf id:delta-network }
