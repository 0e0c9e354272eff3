# rule: an article's agency is an organisation
# expect: id:article/mini-1 kgsh:Article-source sh:ClassConstraintComponent
INSERT DATA { <https://example.org/id/article/mini-1> schema:sourceOrganization a:omar-zed }
