-- links.lua: rewrites links between repository files into links between
-- pages of the rendered book.
--
-- The book build passes, as metadata:
--   mc_src   the source file, relative to the repository root
--            (chapters/01-memory-of-a-c-program.md, exercises/02-x/README.md)
--   mc_mode  "html" (the multi-page site) or "epub" (one book)
--   mc_chapter_ids  (epub only) a map from chapter slug to the id of its title
--
-- Site layout (paths relative to build/book/):
--   chapters/NN-slug.md          -> NN-slug.html
--   exercises/NN-x/README.md     -> exercises/NN-x.html
--   exercises/NN-x/hints.md      -> exercises/NN-x-hints.html
--   chapters/figures/F           -> figures/F
--   exercises/..., testkit/...   -> src/<same path> (copied verbatim)
-- Links with a scheme (https:, mailto:), absolute paths and pure fragments
-- are left alone. Anything else (solutions/, grader/) is left as written so
-- that `book.py check-links` reports it.

local path = require("pandoc.path")

local src = "chapters/unknown.md"
local mode = "html"
local chapter_ids = {}

local function meta_string(v)
  if v == nil then
    return nil
  end
  return pandoc.utils.stringify(v)
end

-- Resolves `target` (relative to the source file) to a repository path.
local function repo_path(target)
  local joined = path.join({ path.directory(src), target })
  local parts = {}
  for piece in string.gmatch(joined, "[^/]+") do
    if piece == ".." then
      if #parts == 0 then
        return nil
      end
      table.remove(parts)
    elseif piece ~= "." then
      table.insert(parts, piece)
    end
  end
  return table.concat(parts, "/")
end

-- Maps a repository path to a site path, or nil when it has no page.
local function site_path(rp)
  local slug = rp:match("^chapters/(%d%d%-[^/]+)%.md$")
  if slug then
    return slug .. ".html"
  end
  local ex = rp:match("^exercises/([^/]+)/README%.md$") or rp:match("^exercises/([^/]+)/?$")
  if ex then
    return "exercises/" .. ex .. ".html"
  end
  ex = rp:match("^exercises/([^/]+)/hints%.md$")
  if ex then
    return "exercises/" .. ex .. "-hints.html"
  end
  local fig = rp:match("^chapters/(figures/.+)$")
  if fig then
    return fig
  end
  if rp:match("^exercises/") or rp:match("^testkit/") then
    return "src/" .. rp
  end
  return nil
end

-- Makes a site path relative to the page being rendered.
local function relative_to_page(sp)
  local page_dir = path.directory(site_path(src) or "")
  if page_dir == "." or page_dir == "" then
    return sp
  end
  local prefix = page_dir .. "/"
  if sp:sub(1, #prefix) == prefix then
    return sp:sub(#prefix + 1)
  end
  return "../" .. sp
end

local function is_external(target)
  return target == "" or target:match("^#") or target:match("^/") or target:match("^%a[%w+.-]*:")
end

local function split_fragment(target)
  local p, frag = target:match("^([^#]*)(#.*)$")
  if p then
    return p, frag
  end
  return target, ""
end

local function rewrite(target)
  if is_external(target) then
    return target
  end
  local p, frag = split_fragment(target)
  local rp = repo_path(p)
  if rp == nil then
    return target
  end
  local sp = site_path(rp)
  if sp == nil then
    return target
  end
  return relative_to_page(sp) .. frag
end

local function epub_link(link)
  if is_external(link.target) then
    return link
  end
  local p, frag = split_fragment(link.target)
  local rp = repo_path(p)
  local slug = rp and rp:match("^chapters/(%d%d%-[^/]+)%.md$")
  if slug and chapter_ids[slug] then
    -- Section ids repeat across chapters in one book; point at the chapter.
    link.target = "#" .. chapter_ids[slug]
    return link
  end
  -- Exercises are not part of the EPUB: keep the words, drop the link.
  return link.content
end

local function Meta(meta)
  src = meta_string(meta.mc_src) or src
  mode = meta_string(meta.mc_mode) or mode
  if meta.mc_chapter_ids then
    for k, v in pairs(meta.mc_chapter_ids) do
      chapter_ids[k] = pandoc.utils.stringify(v)
    end
  end
end

local function Link(link)
  if mode == "epub" then
    return epub_link(link)
  end
  link.target = rewrite(link.target)
  return link
end

local function Image(img)
  if mode ~= "epub" then
    img.src = rewrite(img.src)
  end
  return img
end

return { { Meta = Meta }, { Link = Link, Image = Image } }
