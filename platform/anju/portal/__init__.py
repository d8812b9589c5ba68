"""The resident portal: home page, standard pages, language switch."""
