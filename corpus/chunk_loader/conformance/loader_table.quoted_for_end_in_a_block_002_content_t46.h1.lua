
    'for end';
