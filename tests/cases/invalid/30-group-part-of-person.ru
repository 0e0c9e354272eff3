# rule: a group is part of an organisation
# expect: id:alpha-brigade kgsh:Organization-partOf sh:ClassConstraintComponent
INSERT DATA { id:alpha-brigade kg:partOf a:omar-zed }
