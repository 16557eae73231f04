
 'for end';
 