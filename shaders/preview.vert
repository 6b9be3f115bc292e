#version 330 core
// A textured quad with no vertex buffer: the four corners come from gl_VertexID (drawn as a
// triangle strip), placed at uRect = (left, top, right, bottom) in normalized device coordinates.
uniform vec4 uRect;
out vec2 vTexCoord;

void main()
{
    vec2 corner = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
    vTexCoord = corner;
    gl_Position = vec4(mix(uRect.x, uRect.z, corner.x), mix(uRect.y, uRect.w, corner.y), 0.0, 1.0);
}
