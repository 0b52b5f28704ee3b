"""The Scrapy project: spiders that navigate, middlewares and pipelines that archive."""
