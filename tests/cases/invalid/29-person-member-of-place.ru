# rule: a person is a member of an organisation
# expect: a:omar-zed kgsh:Person-memberOf sh:ClassConstraintComponent
INSERT DATA { a:omar-zed kg:memberOf id:gamma-base }
